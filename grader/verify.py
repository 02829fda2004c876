"""Verified seeds: before grading a class, check that the reference passes every
(target, case, seed) the grader will run for the lab.

A simulated run is a function of the code and the seed, so a pair the reference passes once
it passes always, and a pair it fails would cost every correct submission its points. The
check grades the reference itself (reference/'s files laid over the kit as the submission)
with the same options — seeds, seed base, time limits, hidden or public only, sandbox — so the
pairs it runs are exactly the ones a grading runs. It passes only with full marks; then the
result is cached under a key (below), and the next check with the same key costs nothing.

The cache key is a hash of:
- the lab, the grader's version, the plan (each target with its seeds and time limit) and the
  Bazel flags that change a build (--bazel-arg, the sandbox);
- the content of every kit file that can reach a test binary or decide what runs: the whole
  kit except what never does (the docs, scripts, CI and soak files, the benchmarks and the
  demo, the grader's own Python and self-test, and reference/ files of other labs). New
  directories count by default, so the key errs towards checking again.
"""

import hashlib
import json
import os
import shutil
import tempfile
import time

from grader import report, runner, util
from grader.workspace import kit_files

# Kit paths that never reach a graded test binary nor change what it runs (see above).
NOT_HASHED_PREFIXES = (
    "docs/", "scripts/", ".ci/", "soak/", "bench/", "demo/", "grader/tests/", "grader/selftest/", "scratch/",
)
NOT_HASHED_NAMES = ("README.md", ".gitignore", ".clang-format")


def hashed_files(kit, student_files):
    """The kit files (relative path -> absolute path) the cache key covers."""
    out = {}
    for rel, full in kit_files(kit).items():
        if rel.startswith(NOT_HASHED_PREFIXES) or rel in NOT_HASHED_NAMES or rel.endswith(".md"):
            continue
        if rel.startswith("grader/") and not rel.startswith("grader/hidden/"):
            continue  # the grader's Python: its part is the version and the plan in the key
        if rel.startswith("reference/") and rel[len("reference/"):] not in student_files:
            continue
        out[rel] = full
    return out


def plan(manifests, lab, opts, hidden_in_kit):
    """[(target, [seeds], time limit)] the grader runs for `lab` with `opts`."""
    out = []
    for spec in manifests.tests(lab):
        if opts.only and spec.target not in opts.only:
            continue
        if spec.hidden and (opts.public_only or not hidden_in_kit):
            continue
        out.append((spec.target, opts.seed_list(opts.seed_count(spec)), opts.timeout_for(spec)))
    return out


def cache_key(kit, manifests, lab, opts, hidden_in_kit):
    h = hashlib.sha256()
    head = {
        "lab": lab,
        "grader": runner.VERSION,
        "plan": plan(manifests, lab, opts, hidden_in_kit),
        "bazel_args": list(opts.bazel_args),
        "sandbox": opts.sandbox,
    }
    h.update(json.dumps(head, sort_keys=True).encode())
    for rel, full in sorted(hashed_files(kit, manifests.student_files(lab)).items()):
        with open(full, "rb") as f:
            data = f.read()
        h.update(f"\0{rel}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


def replay_command(target, seed, case=None):
    """The grader's replay command, on the reference."""
    return runner.replay_command(target, seed, case).replace("bazel test ", "bazel test --config=reference ", 1)


# The kind of a target whose build the grader stopped at --build-timeout: the machine's verdict,
# not the reference's.
BUILD_TIME_LIMIT = "build time limit"


class Outcome:
    def __init__(self, lab, key, ok, cached, failures, pairs, seconds, report_dir=None):
        self.lab, self.key, self.ok, self.cached = lab, key, ok, cached
        self.failures = failures  # [{"target", "case", "seed", "kind", "message", "replay"}]
        self.pairs = pairs  # (target, seed) pairs checked
        self.seconds = seconds
        self.report_dir = report_dir

    def text(self):
        if self.ok:
            how = "cached: it passed before on these sources with this plan" if self.cached else "checked"
            return (f"verify-seeds: lab {self.lab}: the reference passes all {self.pairs} (target, seed) pair"
                    f"{'s' if self.pairs != 1 else ''} ({how}, key {self.key[:12]})\n")
        slow = [f for f in self.failures if f["kind"] == BUILD_TIME_LIMIT]
        if len(slow) == len(self.failures):
            # Not a verdict on any seed: the machine did not let the build finish.
            lines = [f"verify-seeds: lab {self.lab}: could not check {len(slow)} target(s): the reference's build did not"
                     " finish within the grader's build time limit on this machine (busy, or slower than the limit"
                     " assumes). Nothing is known about their seeds; check again on a quieter machine or with a"
                     " longer --build-timeout:"]
        else:
            lines = [f"verify-seeds: lab {self.lab}: the reference FAILS {len(self.failures) - len(slow)} of the (target, case,"
                     " seed) triples the grader runs; a correct submission would lose these points. Fix the kit (or"
                     " leave the seed out) before grading:"]
        for f in self.failures:
            where = f"{f['target']}  {f['case']}" if f["case"] else f["target"]
            seed = f" seed {f['seed']}" if f["seed"] is not None else ""
            lines.append(f"  {where}{seed}: {f['kind']}: {util.first_line(f['message'] or '', 300)}")
            if f["replay"]:
                lines.append(f"    replay: {f['replay']}")
        if self.report_dir:
            lines.append(f"  the reference's full report: {self.report_dir}")
        return "\n".join(lines) + "\n"


def _failures(result):
    out = []
    for t in result["targets"]:
        if t["status"] == "skipped":
            continue
        if t["status"] in ("missing", "build_failed", "not_run"):
            timed_out = t["status"] == "build_failed" and result["build"].get("timed_out")
            out.append({"target": t["target"], "case": "", "seed": None,
                        "kind": BUILD_TIME_LIMIT if timed_out else t["status"].replace("_", " "),
                        "message": t["message"], "replay": f"bazel build --config=reference {t['target']}"})
            continue
        if t["total"] == 0:
            out.append({"target": t["target"], "case": "", "seed": None, "kind": "no case ran",
                        "message": t["message"], "replay": ""})
        for case in t["cases"]:
            for f in case["failures"]:
                out.append({"target": t["target"], "case": case["name"], "seed": f["seed"], "kind": f["kind"],
                            "message": f.get("message", ""), "replay": replay_command(t["target"], f["seed"], case["name"])})
    if result["status"] not in ("graded",) and not out:
        out.append({"target": "", "case": "", "seed": None, "kind": result["status"],
                    "message": result.get("submission", {}).get("error", "") or result.get("error", ""), "replay": ""})
    return out


def reference_submission(kit, student_files, dest):
    """Lays reference/'s copy of each student file into `dest` (the submission to grade)."""
    missing = []
    for rel in student_files:
        src = os.path.join(kit, "reference", rel)
        if not os.path.isfile(src):
            missing.append(rel)
            continue
        os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
        shutil.copyfile(src, os.path.join(dest, rel))
    if missing:
        raise runner.GraderError(
            "verify-seeds needs the reference, and this kit has no reference/ copy of: " + ", ".join(missing)
            + " (a student release cannot verify seeds)")


def verify(kit, manifests, lab, ws, opts, cache_dir, report_dir=None, use_cache=True, log=lambda m: None):
    """Checks the reference on every (target, seed) of the lab's grading plan. Returns an
    Outcome; a passing check is cached in `cache_dir` under its key. `report_dir` (made if
    needed) receives the reference's grading report when a check runs."""
    start = time.time()
    grader = runner.Grader(kit, manifests, ws, _reference_free(opts), log=log)
    key = cache_key(kit, manifests, lab, opts, grader.hidden_in_kit)
    pairs = sum(len(seeds) for _, seeds, _ in plan(manifests, lab, opts, grader.hidden_in_kit))
    stamp = os.path.join(cache_dir, f"{lab}-{key}.json")
    if use_cache and os.path.exists(stamp):
        return Outcome(lab, key, True, True, [], pairs, 0.0)
    with tempfile.TemporaryDirectory(prefix="tinykv-verify-") as tmp:
        sub = os.path.join(tmp, "reference")
        reference_submission(kit, manifests.student_files(lab), sub)
        out = report_dir or os.path.join(tmp, "report")
        os.makedirs(out, exist_ok=True)
        log(f"verify-seeds: lab {lab}: grading the reference on {pairs} (target, seed) pair{'s' if pairs != 1 else ''}")
        result = grader.grade(lab, sub, "reference", out)
        report.write_reports(result, out)
    failures = _failures(result)
    ok = not failures and result["score"] == result["max_score"]
    if ok:
        os.makedirs(cache_dir, exist_ok=True)
        util.atomic_write_json(stamp, {
            "lab": lab,
            "key": key,
            "plan": plan(manifests, lab, opts, grader.hidden_in_kit),
            "verified": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "seconds": round(time.time() - start, 1),
        })
    elif not failures:
        failures = [{"target": "", "case": "", "seed": None, "kind": "not full marks",
                     "message": f"{result['score']} of {result['max_score']}", "replay": ""}]
    return Outcome(lab, key, ok, False, failures, pairs, time.time() - start, report_dir if not ok else None)


def _reference_free(opts):
    """The options of the check: the grading's own, except that every component comes from the
    submission (which is the reference), never from --reference-component."""
    o = runner.Options(**{k: v for k, v in vars(opts).items()})
    o.reference = []
    return o
