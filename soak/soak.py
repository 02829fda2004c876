"""The soak: every simulated scenario on the reference over consecutive seeds, with a ledger.

A simulated run is a function of the sources and the seed, so "the reference passes seed N of
this scenario" is a fact worth writing down once. This tool builds the scenarios' test
binaries once (--config=reference), copies each one out of bazel-bin (a later build with
other flags would overwrite it), and runs the binaries directly, one process per seed, with
no Bazel in between. Each result is appended to the ledger (soak/ledger.tsv, committed),
keyed by a hash of the source files the scenario's binary is built from; a change to those
sources starts the scenario's count again. The ledger is the only state: an interrupted soak
resumes where its ledger ends.

Scheduling: among the scenarios still short of --goal seeds, the next run goes to the one
that has had the least CPU time on its current sources, so the cheap Raft suites reach the
goal quickly and the slow cluster suites get the rest of the machine.

Usage: scripts/soak.sh [--jobs N] [--goal 1000] [--until HH:MM | --hours H] [--only LABEL]
       scripts/soak.sh --status
"""

import argparse
import ast
import datetime
import hashlib
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

KIT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCENARIOS = os.path.join(KIT, "soak", "scenarios.txt")
LEDGER = os.path.join(KIT, "soak", "ledger.tsv")
CACHE = os.path.join(os.path.expanduser("~"), ".cache", "tinykv-soak")
WORKSPACE_NAME = "tinykv"
LEDGER_HEADER = (
    "# The soak ledger (scripts/soak.sh; soak/README.md). Append-only, one line per result:\n"
    "# utc, scenario, source hash, first seed, last seed, result (pass: every seed of the range\n"
    "# passed; fail/crash/timeout: that one seed), CPU seconds (user+sys) of the range, detail.\n"
    "utc\tscenario\thash\tfirst\tlast\tresult\tcpu_s\tdetail\n"
)
FLUSH_SECONDS = 120  # a scenario's passes are written at least this often
LOG_LIMIT = 256 << 20  # a run's output beyond this is a failure of its own (SIGXFSZ)
_FAILED_CASE = re.compile(r"^\[  FAILED  \] ([A-Za-z0-9_/.]+\.[A-Za-z0-9_/]+)", re.M)


# -- the ledger ------------------------------------------------------------------------------


class Record:
    def __init__(self, scenario, hash_, first, last, result, cpu, detail="", utc=""):
        self.scenario, self.hash, self.first, self.last = scenario, hash_, first, last
        self.result, self.cpu, self.detail, self.utc = result, cpu, detail, utc

    def line(self):
        detail = self.detail.replace("\t", " ").replace("\n", " | ")
        return f"{self.utc}\t{self.scenario}\t{self.hash}\t{self.first}\t{self.last}\t{self.result}\t{self.cpu:.1f}\t{detail}\n"


def read_ledger(path):
    out = []
    if not os.path.exists(path):
        return out
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.startswith("#") or line.startswith("utc\t") or not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 7:
                raise SystemExit(f"{path}:{n}: a ledger line needs at least 7 tab-separated columns")
            out.append(Record(cols[1], cols[2], int(cols[3]), int(cols[4]), cols[5], float(cols[6]),
                              cols[7] if len(cols) > 7 else "", cols[0]))
    return out


def append_ledger(path, records):
    new = not os.path.exists(path)
    with open(path, "a", encoding="utf-8") as f:
        if new:
            f.write(LEDGER_HEADER)
        for r in records:
            f.write(r.line())
        f.flush()
        os.fsync(f.fileno())


class Standing:
    """What the ledger says about one scenario on one source hash."""

    def __init__(self):
        self.passed = []  # (first, last) ranges
        self.failed = {}  # seed -> Record
        self.cpu = 0.0
        self.runs = 0

    def add(self, r):
        self.cpu += r.cpu
        if r.result == "pass":
            self.passed.append((r.first, r.last))
            self.runs += r.last - r.first + 1
        else:
            self.failed[r.first] = r
            self.runs += 1

    def passed_seeds(self):
        """Sorted, merged ranges of passed seeds."""
        merged = []
        for a, b in sorted(self.passed):
            if merged and a <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(merged[-1][1], b))
            else:
                merged.append((a, b))
        return merged

    def consecutive(self):
        """n such that seeds 1..n all passed."""
        m = self.passed_seeds()
        return m[0][1] if m and m[0][0] <= 1 else 0

    def tried(self, seed):
        return seed in self.failed or any(a <= seed <= b for a, b in self.passed)

    def next_seed(self, busy=()):
        seed = 1
        for a, b in self.passed_seeds():
            if seed < a:
                break
            seed = max(seed, b + 1)
        while seed in self.failed or seed in busy or self.tried(seed):
            seed += 1
        return seed


def standings(records, hashes):
    """scenario -> Standing on its current hash."""
    out = {s: Standing() for s in hashes}
    for r in records:
        if r.scenario in hashes and r.hash == hashes[r.scenario]:
            out[r.scenario].add(r)
    return out


def fmt_ranges(ranges):
    return ",".join(f"{a}" if a == b else f"{a}-{b}" for a, b in ranges) or "-"


# -- building and hashing --------------------------------------------------------------------


def read_scenarios(path, only=()):
    labels = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                labels.append(line)
    if only:
        unknown = [o for o in only if o not in labels]
        if unknown:
            raise SystemExit(f"soak: not in {os.path.relpath(path, KIT)}: {', '.join(unknown)}")
        labels = [l for l in labels if l in only]
    return labels


def bazel(args, capture=True):
    r = subprocess.run(["bazel"] + args, cwd=KIT, capture_output=capture, text=True)
    if r.returncode != 0:
        sys.stderr.write((r.stderr or "")[-4000:] if capture else "")
        raise SystemExit(f"soak: bazel {' '.join(args[:2])} failed (exit {r.returncode})")
    return r.stdout


def source_files(label):
    """The kit's source files `label` is built from under --config=reference (cquery resolves
    the reference/student select()s): test sources, framework, reference files. Not: BUILD
    files, .bazelrc, Debian's libraries, the student stubs (not built in this configuration)."""
    out = bazel(["cquery", "--config=reference", f'kind("source file", deps({label}))'])
    files = set()
    for line in out.splitlines():
        lab = line.split(" ", 1)[0]
        if not lab.startswith("//"):
            continue  # another repository (@system: Debian's headers and libraries)
        pkg, _, name = lab[2:].partition(":")
        files.add(f"{pkg}/{name}" if pkg else name)
    return sorted(files)


def target_args(label):
    """The target's own `args` (e.g. a --gtest_filter), which `bazel test` would pass."""
    out = bazel(["query", "--output=build", label])
    m = re.search(r"^\s*args = (\[.*?\]),$", out, re.M | re.S)
    return ast.literal_eval(m.group(1)) if m else []


def source_hash(files, args):
    h = hashlib.sha256()
    for rel in files:
        with open(os.path.join(KIT, rel), "rb") as f:
            data = f.read()
        h.update(f"{rel}\0{len(data)}\0".encode())
        h.update(data)
    h.update(("\0".join(args)).encode())
    return h.hexdigest()[:16]


class Scenario:
    def __init__(self, label, hash_, binary, runfiles, args):
        self.label, self.hash, self.binary, self.runfiles, self.args = label, hash_, binary, runfiles, args


def prepare(labels, log):
    """Builds the binaries, hashes their sources, copies each out of bazel-bin."""
    log(f"soak: building {len(labels)} targets with --config=reference")
    bazel(["build", "--config=reference"] + labels, capture=False)
    out = []
    for label in labels:
        pkg, name = label[2:].split(":")
        args = target_args(label)
        h = source_hash(source_files(label), args)
        dest = os.path.join(CACHE, "bin", f"{name}-{h}")
        runfiles = os.path.join(dest, f"{name}.runfiles")
        if not os.path.isdir(runfiles):
            tmp = dest + ".tmp"
            shutil.rmtree(tmp, ignore_errors=True)
            os.makedirs(tmp)
            # -L: the runfiles tree is symlinks into bazel-out, which the next build rewrites.
            subprocess.run(["cp", "-rL", os.path.join(KIT, "bazel-bin", pkg, f"{name}.runfiles"), tmp], check=True)
            shutil.rmtree(dest, ignore_errors=True)
            os.replace(tmp, dest)
        out.append(Scenario(label, h, os.path.join(runfiles, WORKSPACE_NAME, pkg, name), runfiles, args))
    return out


# -- running ---------------------------------------------------------------------------------


def replay(label, seed, case=None):
    cmd = f"bazel test --config=reference {label} --test_env=TINYKV_SEED={seed}"
    return cmd + (f" --test_arg=--gtest_filter={case}" if case else "")


AUTOGROUP = "/proc/self/autogroup"


def _lowest_autogroup_priority():
    """With the kernel's autogroup scheduling (on by default on desktop Linux), CPU time is
    shared between sessions first and `nice` only orders processes within one session. A seed
    runs in a session of its own (setsid), so at nice 19 it would still get as much CPU as a
    whole build in the user's terminal. Its session's autogroup gets nice 19 as well; any
    process may lower its own autogroup's priority. Without autogroups there is no such file."""
    try:
        with open(AUTOGROUP, "w") as f:
            f.write("19")
    except OSError:
        pass


def _limits():
    os.setsid()
    _lowest_autogroup_priority()
    resource.setrlimit(resource.RLIMIT_FSIZE, (LOG_LIMIT, LOG_LIMIT))


def run_seed(sc, seed, timeout, stop):
    """Runs one seed; returns (result, cpu seconds, detail, log path or None)."""
    tmp = tempfile.mkdtemp(prefix="tinykv-soak-")
    try:
        env = dict(os.environ)
        env.update({
            "TINYKV_SEED": str(seed),
            "TEST_TARGET": sc.label,
            "TEST_SRCDIR": sc.runfiles,
            "TEST_WORKSPACE": WORKSPACE_NAME,
            "TEST_TMPDIR": tmp,
            "TEST_UNDECLARED_OUTPUTS_DIR": os.path.join(tmp, "outputs"),
        })
        os.makedirs(env["TEST_UNDECLARED_OUTPUTS_DIR"])
        log_path = os.path.join(tmp, "test.log")
        with open(log_path, "wb") as logf:
            p = subprocess.Popen([sc.binary] + sc.args, cwd=os.path.join(sc.runfiles, WORKSPACE_NAME), env=env,
                                 stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT, preexec_fn=_limits)
            deadline = time.monotonic() + timeout
            status = ru = None
            timed_out = False
            while status is None:
                pid, st, r = os.wait4(p.pid, os.WNOHANG)
                if pid:
                    status, ru = st, r
                    break
                if stop.is_set():
                    os.killpg(p.pid, signal.SIGKILL)
                    os.wait4(p.pid, 0)
                    p.returncode = -signal.SIGKILL  # reaped here, not by Popen
                    return None, 0.0, "", None
                if time.monotonic() > deadline:
                    timed_out = True
                    os.killpg(p.pid, signal.SIGKILL)
                    _, status, ru = os.wait4(p.pid, 0)
                    break
                stop.wait(0.05)
            p.returncode = 0  # reaped by wait4 above, not by Popen
        cpu = ru.ru_utime + ru.ru_stime
        if not timed_out and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
            return "pass", cpu, "", None
        with open(log_path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        cases = sorted(set(_FAILED_CASE.findall(text)))
        if timed_out:
            result, how = "timeout", f"killed after {timeout} s"
        elif os.WIFSIGNALED(status):
            result, how = "crash", f"killed by signal {os.WTERMSIG(status)}"
        else:
            result, how = "fail", f"exit {os.WEXITSTATUS(status)}"
        detail = f"{how}; failed: {' '.join(cases) or '(no case reported)'}; replay: " + replay(
            sc.label, seed, cases[0] if len(cases) == 1 else None)
        keep = os.path.join(CACHE, "failures", f"{sc.label[2:].replace('/', '_').replace(':', '.')}-{sc.hash}-seed{seed}")
        shutil.rmtree(keep, ignore_errors=True)
        shutil.copytree(tmp, keep)
        return result, cpu, detail, os.path.join(keep, "test.log")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class Soak:
    def __init__(self, scenarios, ledger, goal, timeout, log):
        self.scenarios = {s.label: s for s in scenarios}
        self.ledger, self.goal, self.timeout, self.log = ledger, goal, timeout, log
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.stand = standings(read_ledger(ledger), {s.label: s.hash for s in scenarios})
        self.busy = {s.label: set() for s in scenarios}
        self.busy_cpu = {s.label: 0.0 for s in scenarios}
        self.pending = {s.label: [] for s in scenarios}  # unwritten passes: (seed, cpu)
        self.pending_since = {s.label: None for s in scenarios}
        self.counts = {"pass": 0, "fail": 0}

    def done(self, label):
        st = self.stand[label]
        done_seeds = {seed for seed, _ in self.pending[label]} | self.busy[label]
        return all(st.tried(s) or s in done_seeds for s in range(1, self.goal + 1))

    def _pick(self):
        best = None
        for label in self.scenarios:
            if self.done(label):
                continue
            spent = self.stand[label].cpu + sum(c for _, c in self.pending[label]) + self.busy_cpu[label]
            key = (len(self.busy[label]), spent)  # spread workers over scenarios, then by CPU
            if best is None or key < best[0]:
                best = (key, label)
        if best is None:
            return None
        label = best[1]
        st = self.stand[label]
        busy = self.busy[label] | {s for s, _ in self.pending[label]}
        seed = st.next_seed(busy)
        if seed > self.goal:
            return None
        est = self._estimate(label)
        self.busy[label].add(seed)
        self.busy_cpu[label] += est
        return label, seed, est

    def _estimate(self, label):
        st = self.stand[label]
        return st.cpu / st.runs if st.runs else 1.0

    def _flush(self, label, force=False):
        pend = self.pending[label]
        if not pend or not (force or time.monotonic() - self.pending_since[label] >= FLUSH_SECONDS):
            return
        sc = self.scenarios[label]
        pend.sort()
        recs, run = [], [pend[0]]
        for seed, cpu in pend[1:]:
            if seed == run[-1][0] + 1:
                run.append((seed, cpu))
            else:
                recs.append(run)
                run = [(seed, cpu)]
        recs.append(run)
        now = utc()
        out = [Record(label, sc.hash, r[0][0], r[-1][0], "pass", sum(c for _, c in r), utc=now) for r in recs]
        append_ledger(self.ledger, out)
        for r in out:
            self.stand[label].add(r)
        self.pending[label] = []
        self.pending_since[label] = None

    def worker(self):
        while not self.stop.is_set():
            with self.lock:
                job = self._pick()
            if job is None:
                return
            label, seed, est = job
            sc = self.scenarios[label]
            result, cpu, detail, kept = run_seed(sc, seed, self.timeout, self.stop)
            with self.lock:
                self.busy[label].discard(seed)
                self.busy_cpu[label] -= est
                if result is None:  # stopped: the run counts for nothing
                    return
                if result == "pass":
                    self.counts["pass"] += 1
                    if self.pending_since[label] is None:
                        self.pending_since[label] = time.monotonic()
                    self.pending[label].append((seed, cpu))
                    self._flush(label)
                else:
                    self.counts["fail"] += 1
                    rec = Record(label, sc.hash, seed, seed, result, cpu, detail, utc())
                    append_ledger(self.ledger, [rec])
                    self.stand[label].add(rec)
                    self.log(f"soak: FAILURE {label} seed {seed}: {detail}\n      log: {kept}")

    def run(self, jobs, until):
        def on_term(signum, frame):
            raise KeyboardInterrupt

        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, on_term)  # kill PID: stop like Ctrl-C, ledger written
        threads = [threading.Thread(target=self.worker, daemon=True) for _ in range(jobs)]
        for t in threads:
            t.start()
        last_report = time.monotonic()
        try:
            while any(t.is_alive() for t in threads):
                if until is not None and time.time() >= until:
                    self.log("soak: time is up")
                    break
                time.sleep(1)
                with self.lock:  # a slow scenario's passes are not held back until its next seed
                    for label in self.scenarios:
                        self._flush(label)
                if time.monotonic() - last_report > 600:
                    last_report = time.monotonic()
                    self.log(f"soak: {utc()}: {self.counts['pass']} seeds passed, {self.counts['fail']} failed this session")
        except KeyboardInterrupt:
            self.log("soak: interrupted")
        self.stop.set()
        for t in threads:
            t.join()
        with self.lock:
            for label in self.scenarios:
                self._flush(label, force=True)


def utc():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def status_table(scenarios, ledger, goal):
    """One line per scenario: seeds 1..n passed in a row, all passed seeds, failures, CPU/seed."""
    stand = standings(read_ledger(ledger), {s.label: s.hash for s in scenarios})
    rows = [("scenario", "hash", f"1..n passed (goal {goal})", "passed seeds", "failed", "CPU s/seed")]
    for s in scenarios:
        st = stand[s.label]
        per = f"{st.cpu / st.runs:.2f}" if st.runs else "-"
        rows.append((s.label, s.hash, str(st.consecutive()), fmt_ranges(st.passed_seeds()),
                     ",".join(map(str, sorted(st.failed))) or "-", per))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows) + "\n"


def parse_until(text):
    if text is None:
        return None
    h, m = map(int, text.split(":"))
    now = datetime.datetime.now(datetime.timezone.utc)
    t = now.replace(hour=h, minute=m, second=0, microsecond=0)
    if t <= now:
        t += datetime.timedelta(days=1)
    return t.timestamp()


def main(argv=None):
    p = argparse.ArgumentParser(prog="soak", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--jobs", type=int, default=1, help="seeds run at once (default 1)")
    p.add_argument("--goal", type=int, default=1000, help="seeds per scenario, 1..goal (default 1000)")
    p.add_argument("--until", help="stop at this UTC time, HH:MM (default: when every scenario reaches the goal)")
    p.add_argument("--hours", type=float, help="stop after this many hours")
    p.add_argument("--timeout", type=int, default=900, help="seconds one seed of one scenario may run (default 900)")
    p.add_argument("--only", action="append", default=[], help="soak only this scenario (repeatable)")
    p.add_argument("--ledger", default=LEDGER, help="the ledger file (default soak/ledger.tsv)")
    p.add_argument("--status", action="store_true", help="print where each scenario stands and exit")
    a = p.parse_args(argv)
    if a.jobs < 1 or a.goal < 1:
        p.error("--jobs and --goal must be at least 1")

    def log(m):
        print(m, file=sys.stderr, flush=True)

    labels = read_scenarios(SCENARIOS, a.only)
    if a.status:
        scen = [Scenario(l, source_hash(source_files(l), target_args(l)), None, None, None) for l in labels]
        sys.stdout.write(status_table(scen, a.ledger, a.goal))
        return 0
    until = parse_until(a.until)
    if a.hours is not None:
        until = min(until or float("inf"), time.time() + a.hours * 3600)
    scen = prepare(labels, log)
    soak = Soak(scen, a.ledger, a.goal, a.timeout, log)
    log(f"soak: {len(scen)} scenarios, seeds 1..{a.goal}, {a.jobs} job(s), ledger {os.path.relpath(a.ledger)}")
    soak.run(a.jobs, until)
    sys.stdout.write(status_table(scen, a.ledger, a.goal))
    return 1 if soak.counts["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
