"""The rubric: a case passes only if it passed on every seed it was run with; a target earns
its points in proportion to the cases passed, or all of them only if every case passed."""

from grader.gtest import CaseResult


def merge_seeds(runs):
    """`runs` is a list of (seed, {case: CaseResult}) in the order run. Returns one entry per
    case: {"name", "passed", "failures": [{"seed", "kind", "message"}]}; a case missing from
    a seed's run counts as not run there (unless it already failed elsewhere)."""
    names = []
    for _, cases in runs:
        for name in cases:
            if name not in names:
                names.append(name)
    merged = []
    for name in names:
        failures = []
        for seed, cases in runs:
            r = cases.get(name)
            if r is None:
                continue
            if not r.passed:
                failures.append({"seed": seed, "kind": r.kind or "failed", "message": r.message})
                if getattr(r, "timeline", None):
                    failures[-1]["timeline"] = r.timeline
        if not failures:
            for seed, cases in runs:
                if name not in cases:
                    failures.append({"seed": seed, "kind": "not_run", "message": f"did not run with seed {seed}"})
        merged.append({"name": name, "passed": not failures, "failures": failures})
    return merged


def points_for(points, scoring, passed, total):
    """Points a target earns for `passed` of `total` cases."""
    if total <= 0:
        return 0.0
    if scoring == "all_or_nothing":
        return float(points) if passed == total else 0.0
    return round(points * passed / total, 2)


def score_target(spec, merged):
    """(points, passed, total) for a target from its merged cases."""
    total = len(merged)
    passed = sum(1 for c in merged if c["passed"])
    return points_for(spec.points, spec.scoring, passed, total), passed, total


def total_score(target_results):
    return round(sum(t["points"] for t in target_results), 2)


__all__ = ["CaseResult", "merge_seeds", "points_for", "score_target", "total_score"]
