"""Measures what grading one submission costs on an autograder warmed the way Gradescope's
setup.sh leaves it: `scripts/grade_budget.sh --lab 2c --cpus 0 reference`.

1. Warm-up: the command setup.sh runs (grade the kit's own stubs once) in a fresh scratch
   workspace, hence a fresh Bazel output base, then stop its Bazel server (Gradescope starts
   each submission in a new container: the caches are on disk, no server is running).
2. The measured grade: the submission graded in that workspace on the given CPUs, with a
   disk cache that holds nothing of the submission (see `_grade_argv`).

Everything the grade starts descends from this process: it makes itself the "child
subreaper" of its process tree, so the Bazel server (which detaches from its client) is
reparented here. Peak memory is the summed resident size of that tree, sampled; CPU time is
what the tree used, from getrusage(RUSAGE_CHILDREN) once every process has been reaped. On
one dedicated core, wall time is at least that CPU time; on a loaded machine wall time is
inflated, so the load averages are reported too.
"""

import argparse
import ctypes
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time

KIT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PR_SET_CHILD_SUBREAPER = 36
PAGE = os.sysconf("SC_PAGE_SIZE")
GIB = 1 << 30


def parse_stat(text):
    """(ppid, rss bytes, utime+stime+cutime+cstime in clock ticks) from /proc/PID/stat. The
    command name (field 2) may hold spaces and parentheses: fields are counted after the last
    ')'."""
    rest = text[text.rindex(")") + 2 :].split()
    # rest[0] is field 3 (state); field N is rest[N - 3].
    ppid = int(rest[1])
    ticks = sum(int(rest[i]) for i in (11, 12, 13, 14))  # fields 14-17
    rss = int(rest[21]) * PAGE  # field 24, in pages
    return ppid, rss, ticks


def descendants(parents, root):
    """The pids below `root` in a {pid: ppid} map (not root itself)."""
    children = {}
    for pid, ppid in parents.items():
        children.setdefault(ppid, []).append(pid)
    out, todo = [], list(children.get(root, []))
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def _proc_table():
    """{pid: (ppid, rss)} of every process readable now."""
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                ppid, rss, _ = parse_stat(f.read())
        except (OSError, ValueError, IndexError):
            continue  # exited meanwhile
        table[int(name)] = (ppid, rss)
    return table


class TreeSampler(threading.Thread):
    """Samples the summed RSS of this process's descendants until stopped."""

    def __init__(self, every=0.25):
        super().__init__(daemon=True)
        self.every = every
        self.peak = 0
        self.peak_procs = 0
        self._halt = threading.Event()

    def run(self):
        me = os.getpid()
        while not self._halt.is_set():
            table = _proc_table()
            pids = descendants({p: v[0] for p, v in table.items()}, me)
            total = sum(table[p][1] for p in pids)
            if total > self.peak:
                self.peak, self.peak_procs = total, len(pids)
            self._halt.wait(self.every)

    def stop(self):
        self._halt.set()
        self.join()


def _reap_all(timeout):
    """Waits for every remaining descendant (the Bazel server exits after `--shutdown`)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return True
        if pid == 0:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)


def _cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def measure(argv, cpus=None, reap_timeout=300):
    """Runs `argv` (pinned to `cpus`, a set of CPU numbers, if given) and returns wall s, CPU s
    of its whole tree, peak summed RSS in bytes and its exit code."""
    before = _cpu_seconds()
    start = time.monotonic()
    pre = (lambda: os.sched_setaffinity(0, cpus)) if cpus else None
    proc = subprocess.Popen(argv, preexec_fn=pre)  # before the sampler's thread exists
    sampler = TreeSampler()
    sampler.start()
    rc = proc.wait()
    reaped = _reap_all(reap_timeout)
    wall = time.monotonic() - start
    sampler.stop()
    return {
        "rc": rc,
        "wall_s": round(wall, 1),
        "cpu_s": round(_cpu_seconds() - before, 1),
        "peak_rss_bytes": sampler.peak,
        "peak_procs": sampler.peak_procs,
        "all_reaped": reaped,
    }


def parse_cpus(text):
    """'0', '0,1' or '0-3' -> a set of CPU numbers."""
    cpus = set()
    for part in text.split(","):
        lo, _, hi = part.strip().partition("-")
        cpus.update(range(int(lo), int(hi or lo) + 1))
    return cpus


def grade_timing(summary_path):
    """(build s, test s, total s, score, max score) from a report's summary.json."""
    with open(summary_path, encoding="utf-8") as f:
        s = json.load(f)
    t = s.get("timing", {})
    return t.get("build"), t.get("test"), t.get("total"), s.get("score"), s.get("max_score")


def table_row(r):
    """One markdown row of docs/instructor.md's budget table."""
    return (f"| {r['lab']} | {r['cores']} | {r['build_s']:.0f} | {r['test_s']:.0f} | {r['grade_wall_s']:.0f} "
            f"| {r['grade_cpu_s']:.0f} | {r['peak_rss_bytes'] / GIB:.2f} | {r['score']:g}/{r['max_score']:g} "
            f"| {r['load_start'][0]:.1f}-{r['load_end'][0]:.1f} |")


TABLE_HEAD = ("| lab | cores | build s | test s | total s | CPU s | peak GiB | score | load |\n"
              "|---|---|---|---|---|---|---|---|---|")


def _grade_sh(kit):
    return [os.path.join(kit, "scripts", "grade.sh")]


def _grade_argv(a, ws, submission, out, disk_cache, student, extra=()):
    return (_grade_sh(a.kit) + ["grade", "--lab", a.lab, submission, "--student", student, "--out", out, *extra,
                                "--workspace", ws, "--disk-cache", disk_cache, "--shutdown", "--kit", a.kit]
            + a.grade_flags)


def _subreaper(on):
    return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1 if on else 0, 0, 0, 0) == 0


def _expunge(ws):
    # No longer the subreaper: the server this starts must not wait here as a zombie (its
    # client waits for it to be gone).
    _subreaper(False)
    subprocess.run(["bazel", "clean", "--expunge"], cwd=ws, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=False)


def run(a):
    root = tempfile.mkdtemp(prefix=f"budget-{a.lab}-", dir=a.scratch)
    ws = os.path.join(root, "ws")  # a new path: Bazel gives it a new output base
    # The measured grade's disk cache holds what the warm-up wrote and nothing else. A warm-up
    # from the shared cache (--warm-disk-cache, quick) leaves the same output base, whose
    # action cache already holds every output the warm-up produced: the grade then gets an
    # empty cache, so nothing of the submission can come from an earlier grading.
    cold = a.warm_disk_cache is None
    grade_cache = os.path.join(root, "disk-cache")
    warm_cache = grade_cache if cold else os.path.expanduser(a.warm_disk_cache)
    result = {"lab": a.lab, "cores": len(a.cpus) if a.cpus else os.cpu_count(), "cpus": sorted(a.cpus or []),
              "submission": a.submission, "grade_flags": a.grade_flags, "workspace": ws,
              "warm_disk_cache": "fresh (cold warm-up)" if cold else warm_cache}
    os.makedirs(a.out, exist_ok=True)
    try:
        if not a.no_warm:
            print(f"budget: warm-up (setup.sh's command) in {ws}", file=sys.stderr)
            # The kit's own student files (the stubs), as setup.sh grades "." in the unpacked zip.
            warm_argv = _grade_argv(a, ws, a.kit, os.path.join(root, "warmup"), warm_cache, "warmup", ["--worktree"])
            warm = measure(warm_argv)
            result["warmup"] = warm
        print(f"budget: grading {a.submission} on cpus {a.cpus or 'all'}", file=sys.stderr)
        result["load_start"] = loadavg()
        report = os.path.join(a.out, "report")
        m = measure(_grade_argv(a, ws, a.submission, report, grade_cache, "submission"), a.cpus)
        result["load_end"] = loadavg()
        build, test, total, score, max_score = grade_timing(os.path.join(report, "summary.json"))
        result.update({"build_s": build, "test_s": test, "total_s": total, "score": score, "max_score": max_score,
                       "grade_wall_s": m["wall_s"], "grade_cpu_s": m["cpu_s"], "peak_rss_bytes": m["peak_rss_bytes"],
                       "peak_procs": m["peak_procs"], "rc": m["rc"], "all_reaped": m["all_reaped"]})
    finally:
        if not a.keep:
            _expunge(ws) if os.path.isdir(ws) else None
            shutil.rmtree(root, ignore_errors=True)
    with open(os.path.join(a.out, "budget.json"), "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)
    print(TABLE_HEAD)
    print(table_row(result))
    return 0 if result["rc"] == 0 else 1


def parser():
    p = argparse.ArgumentParser(prog="grade_budget", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("submission", help="what to grade (e.g. reference: the reference files as a submission)")
    p.add_argument("--lab", required=True)
    p.add_argument("--cpus", type=parse_cpus, help="CPUs to pin the grade to, as taskset takes them (0 or 0,1)")
    p.add_argument("--out", required=True, help="where budget.json and the grade's report go")
    p.add_argument("--grade-flags", default="", help="the grader flags of the Gradescope package (--grade-flags)")
    p.add_argument("--warm-disk-cache", help="warm up from this disk cache (quicker; same result) instead of a "
                   "fresh one (a cold warm-up, as on Gradescope)")
    p.add_argument("--no-warm", action="store_true", help="skip the warm-up (measures a cold grade)")
    p.add_argument("--scratch", default=tempfile.gettempdir(), help="where the scratch workspace goes")
    p.add_argument("--keep", action="store_true", help="keep the scratch workspace and its output base")
    p.add_argument("--kit", default=KIT_ROOT)
    return p


def main(argv=None):
    a = parser().parse_args(argv)
    a.grade_flags = a.grade_flags.split()
    a.out = os.path.abspath(a.out)
    a.submission = os.path.abspath(a.submission) if os.path.exists(a.submission) else a.submission
    if not _subreaper(True):
        print("budget: cannot become a child subreaper: the Bazel server's CPU would be missed", file=sys.stderr)
        return 2
    return run(a)


if __name__ == "__main__":
    sys.exit(main())
