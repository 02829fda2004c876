"""Progress at a glance: `scripts/progress.sh [LAB]` (or `python3 -m grader.progress`).

Runs the public suites of every lab (or of one) on the student's own working tree and prints
one table: per lab the cases passed, the points the public rubric gives, the slowest case and
the first failing case with the command that replays it. It is the grader's public-only mode
underneath (runner.Grader with public_only), not a second scorer: the points are the ones a
`grade --public-only` of the same code reports.

Unlike `grade`, it grades the tree in place: the kit root is the Bazel workspace, so the
student's own Bazel server and build outputs are reused and nothing is copied.
"""

import argparse
import os
import re
import sys
import tempfile
import time

from grader import manifest, report, runner

KIT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# gtest's per-case result lines carry the case's time; the summary list at the end does not.
_CASE_TIME = re.compile(r"^\[\s+(?:OK|FAILED)\s+\] (\S+) \((\d+) ms\)\s*$")

GREEN, YELLOW, RED, DIM, BOLD, RESET = "\033[32m", "\033[33m", "\033[31m", "\033[2m", "\033[1m", "\033[0m"


class InPlaceWorkspace:
    """The kit itself as the grader's workspace: nothing to copy, nothing to overlay (the
    submission *is* this tree)."""

    def __init__(self, path):
        self.path = os.path.abspath(path)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def reset(self, files, exclude=()):
        pass

    def overlay(self, files):
        pass


def leaf_labs(ms, names):
    """The labs a row each stands for: a lab that only groups others (2a = 2aa + 2ab + 2ac)
    is shown as its parts, so no case is counted twice."""
    out = []
    for name in names:
        lab = ms.get(name)
        parts = leaf_labs(ms, lab.includes) if lab.includes and not lab.tests else []
        for n in parts or [name]:
            if n not in out:
                out.append(n)
    return out


def case_times(logs_dir):
    """{case: milliseconds} from the gtest logs the grader copied (the longest run of each)."""
    times = {}
    for dirpath, _, files in os.walk(logs_dir):
        for f in files:
            if not f.endswith(".log"):
                continue
            try:
                with open(os.path.join(dirpath, f), encoding="utf-8", errors="replace") as fh:
                    for line in fh:
                        m = _CASE_TIME.match(line.strip())
                        if m:
                            times[m.group(1)] = max(times.get(m.group(1), 0), int(m.group(2)))
            except OSError:
                continue
    return times


def row(result, times):
    """One table row (a dict) from a public-only grading result."""
    public = [t for t in result["targets"] if not t["hidden"]]
    r = {
        "lab": result["lab"],
        "title": result["title"],
        "passed": sum(t["passed"] for t in public),
        "total": sum(t["total"] for t in public),
        "points": result["score"],
        "max_points": result["max_score"],
        "slowest": None,
        "first_failure": None,
        "note": "",
    }
    if result["status"] == "build_failed" or any(t["status"] == "build_failed" for t in public):
        r["note"] = "build failed"
    elif any(t["status"] == "missing" for t in public):
        r["note"] = "kit problem: a target is missing"
    for t in public:
        for c in t.get("cases", []):
            if c["name"] in times and (r["slowest"] is None or times[c["name"]] > r["slowest"][1]):
                r["slowest"] = (c["name"], times[c["name"]])
            if not c["passed"] and r["first_failure"] is None:
                f = c["failures"][0]
                r["first_failure"] = (c["name"], f.get("kind", "failed"), f.get("replay", ""))
    if r["note"] == "build failed":
        r["first_failure"] = ("(the build)", "failed", "bazel build " + " ".join(t["target"] for t in public))
    return r


def progress(kit, ms, names, out, opts, log=lambda m: None):
    """Grades the tree at `kit` in place, lab by lab (public suites only), and returns the
    table's rows; each lab's full report goes to out/<lab>/."""
    if not opts.public_only:
        raise ValueError("progress runs the public suites only")
    rows = []
    with InPlaceWorkspace(kit) as ws:
        g = runner.Grader(kit, ms, ws, opts, log=log)
        for name in names:
            log(f"progress: lab {name}: running its public suites")
            lab_out = os.path.join(out, name)
            os.makedirs(lab_out, exist_ok=True)
            # worktree: grade the files as they are on disk, not the last commit.
            result = g.grade(name, kit, "working tree", lab_out, worktree=True)
            # The full report too: the table leaves the failure messages out.
            report.write_reports(result, lab_out)
            rows.append(row(result, case_times(os.path.join(lab_out, "logs"))))
    return rows


def _fmt(x):
    return f"{x:g}" if float(x) != int(x) else str(int(x))


def _ms(ms):
    return f"{ms / 1000:.1f} s" if ms >= 100 else f"{ms} ms"


def render(rows, color=False):
    """The table as text: one line per lab, each failing lab followed by its replay command,
    then the total. ANSI colours only when `color` (a terminal)."""

    def paint(text, code):
        return f"{code}{text}{RESET}" if color and code else text

    header = ("lab", "cases", "points", "slowest case", "first failing case")
    cells = []
    for r in rows:
        cases = f"{r['passed']}/{r['total']}" if r["total"] else "-"
        points = f"{_fmt(r['points'])} / {_fmt(r['max_points'])}"
        slowest = f"{r['slowest'][0]} ({_ms(r['slowest'][1])})" if r["slowest"] else "-"
        if r["first_failure"]:
            name, kind, _ = r["first_failure"]
            failing = name + ("" if kind == "failed" else f" ({kind.replace('_', ' ')})")
        else:
            failing = "-"
        if r["note"]:
            failing = r["note"]
        cells.append((r["lab"], cases, points, slowest, failing))
    widths = [max(len(c[i]) for c in [header] + cells) for i in range(len(header))]

    def line(c):
        parts = [c[0].ljust(widths[0]), c[1].rjust(widths[1]), c[2].rjust(widths[2]), c[3].ljust(widths[3]), c[4]]
        return "  ".join(parts).rstrip()

    out = [paint(line(header), BOLD), "  ".join("-" * w for w in widths)]
    for r, c in zip(rows, cells):
        if r["note"] == "build failed" or r["passed"] == 0:
            code = RED
        elif r["passed"] == r["total"] and not r["note"]:
            code = GREEN
        else:
            code = YELLOW
        out.append(paint(line(c), code))
        if r["first_failure"] and r["first_failure"][2]:
            out.append(paint(f"{'':{widths[0]}}  replay: {r['first_failure'][2]}", DIM))
    total = sum(r["points"] for r in rows)
    most = sum(r["max_points"] for r in rows)
    out.append("")
    out.append(f"public points: {_fmt(round(total, 2))} / {_fmt(most)}"
               "   (public suites only: the hidden suites add points when your work is graded)")
    return "\n".join(out) + "\n"


def use_color(mode, stream):
    if mode == "always":
        return True
    if mode == "never":
        return False
    return stream.isatty() and os.environ.get("TERM", "") != "dumb" and "NO_COLOR" not in os.environ


def main(argv=None):
    p = argparse.ArgumentParser(prog="scripts/progress.sh", description=__doc__.split("\n\n")[0])
    p.add_argument("labs", nargs="*", help="the labs to run (default: all): 1, 2aa, 2ab, 2ac, 2a, 2b, 2c")
    p.add_argument("--color", choices=["auto", "always", "never"], default="auto")
    p.add_argument("--kit", default=KIT_ROOT, help=argparse.SUPPRESS)
    p.add_argument("--bazel", default="bazel", help=argparse.SUPPRESS)
    p.add_argument("--out", help="where the full grader reports go (default: a new folder under /tmp)")
    a = p.parse_args(argv)
    ms = manifest.load_manifests(a.kit)
    names = leaf_labs(ms, a.labs or ms.names())
    out = a.out or tempfile.mkdtemp(prefix="tinykv-progress-")
    opts = runner.Options(public_only=True, sandbox="processwrapper", bazel=a.bazel)
    started = time.time()
    rows = progress(a.kit, ms, names, out, opts, log=lambda m: print(m, file=sys.stderr))
    sys.stdout.write(render(rows, use_color(a.color, sys.stdout)))
    print(f"({time.time() - started:.0f} s; full reports with every failure message: {out}/<lab>/report.txt)")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (manifest.ManifestError, runner.GraderError) as e:
        print(f"progress: {e}", file=sys.stderr)
        sys.exit(1)
