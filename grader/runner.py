"""Grades one submission: overlay its student files on a pristine kit, build, run the lab's
public and hidden targets over their seeds, and score.

Results come from what Bazel wrote (the Build Event Protocol file and each target's
test.xml and test.log in its testlogs directory), copied out after every `bazel test`.
A case passes only with positive evidence (gtest's XML or its "[ OK ]" log line) on every
seed. When a test binary dies (crash, time limit, file-size limit), the case that was
running fails and the remaining cases are rerun without it, within a time budget.
"""

import math
import os
import re
import shlex
import shutil
import sys
import time

from grader import bazel as bazel_mod
from grader import gtest, resources, sandbox, scoring, submission, timelines, util
from grader.workspace import EXCLUDED_PREFIXES

VERSION = "1"
DEFAULT_DISK_CACHE = os.path.join(os.path.expanduser("~"), ".cache", "tinykv-bazel-disk")
MAX_RERUNS = 60  # per target and seed
NOTHING = "-*"  # a --gtest_filter that runs no case
EXIT_CASE = "<test binary exit>"
_SANDBOX_NOISE = re.compile(r"^\d+\.\d+: src/main/tools/")
_EXIT_CODE = re.compile(r"exited with error code (\d+)")


class Options:
    """Everything a grading run can be told (the CLI fills it)."""

    def __init__(self, **kw):
        self.test_timeout = 60  # seconds per test binary run, for targets whose manifest sets no timeout
        self.max_test_timeout = None  # caps every target's limit, manifest timeouts included
        self.build_timeout = 900  # wall seconds for the build
        self.seeds = None  # seed count for randomized targets (manifest "seeds" > 1)
        self.seeds_every = None  # seed count for every target
        self.seed_base = 1  # seeds are seed_base, seed_base + 1, ...
        self.rerun_budget = None  # seconds of reruns per target after crashes/timeouts
        self.public_only = False  # leave hidden targets out (a student's self-check)
        self.sandbox = "auto"  # linux, processwrapper or auto (Bazel's, when isolation is off)
        self.isolation = "auto"  # bwrap (each test binary in sandbox.py's sandbox), none, or auto
        self.limits = sandbox.Limits()  # what one sandboxed test binary may consume
        self.disk_cache = DEFAULT_DISK_CACHE
        self.bazel = "bazel"
        self.bazel_args = []
        self.reference = []  # components built from reference/ (e.g. ["raft"] for a 2B grade)
        self.only = []  # grade only these targets (replaying one failure)
        self.show_hidden_timelines = False  # copy hidden suites' failure timelines too
        self.wall_margin = 120  # seconds a `bazel test` may take beyond its tests' time limits
        self.cpus = None  # CPUs Bazel may use (default: the affinity mask and cgroup quota)
        self.memory_mb = None  # memory Bazel may plan for (default: MemTotal or the cgroup limit)
        for k, v in kw.items():
            if not hasattr(self, k):
                raise TypeError(f"unknown option {k}")
            setattr(self, k, v)

    def timeout_for(self, spec):
        """Seconds one run of the target's test binary may take before Bazel kills it: the
        manifest's `timeout` for that target (the slow cluster suites), else test_timeout;
        never more than max_test_timeout."""
        t = spec.timeout or self.test_timeout
        return min(t, self.max_test_timeout) if self.max_test_timeout else t

    def budget(self, spec):
        """Seconds of reruns of one target (per grading) after its binary crashed or hung."""
        if self.rerun_budget is not None:
            return self.rerun_budget
        return max(3 * self.timeout_for(spec), 60)

    def seed_count(self, spec):
        if self.seeds_every is not None:
            return self.seeds_every
        if self.seeds is not None and spec.seeds > 1:
            return self.seeds
        return spec.seeds

    def seed_list(self, n):
        return [self.seed_base + i for i in range(n)]


class GraderError(Exception):
    """The grader itself could not grade (Bazel would not start, ...): not the student's fault;
    a batch retries such submissions on its next run."""


def replay_command(target, seed, case=None, hidden=False):
    cmd = f"bazel test {target} --test_env=TINYKV_SEED={seed}"
    if case and case != EXIT_CASE:
        cmd += f" --test_arg=--gtest_filter={case}"
    return cmd


class Grader:
    """Grades submissions one after another in one scratch workspace (one Bazel server)."""

    def __init__(self, kit_root, manifests, workspace, options, log=lambda message: None):
        self.kit = os.path.abspath(kit_root)
        self.manifests = manifests
        self.ws = workspace
        self.opts = options
        self.log = log
        self.pristine = None
        for arg in options.bazel_args:
            if "reference" in arg and ("--config" in arg or "--define" in arg):
                raise GraderError(
                    f"{arg}: the grader always builds the student's code; use --reference-component "
                    "to take one component (raft, kv, raftstore) from reference/"
                )
        if options.reference and not os.path.isdir(os.path.join(self.kit, "reference")):
            raise GraderError(
                f"--reference-component {' '.join(options.reference)}: this copy of the kit has no reference/ "
                "(a student release): grading here always uses your own code"
            )
        # Sized to the machine (resources.py): a container's quota, not the host's CPUs.
        self.cpus = options.cpus or resources.effective_cpus()
        memory = (options.memory_mb << 20) if options.memory_mb else resources.effective_memory()
        self.resource_flags = resources.bazel_flags(self.cpus, memory)
        self.bazel = bazel_mod.Bazel(workspace.path, options.bazel, startup_args=resources.bazel_startup_flags(memory))
        self.hidden_in_kit = os.path.isdir(os.path.join(self.kit, "grader", "hidden"))
        self._sandbox = None
        self._isolation = None  # (True, bwrap version) or (False, why not)

    # -- setup -------------------------------------------------------------------------

    def _pristine(self):
        if self.pristine is None:
            from grader.workspace import kit_files

            self.pristine = kit_files(self.kit)
        return self.pristine

    def _isolated(self):
        """Whether every test binary runs in sandbox.py's bubblewrap sandbox. `bwrap` demands
        it (a GraderError where it cannot work); `auto` uses it where it works and otherwise
        grades with a loud warning in every report."""
        if self._isolation is None:
            if self.opts.isolation == "none":
                self._isolation = (False, "turned off (--isolation none)")
            else:
                self._isolation = sandbox.check()
                if not self._isolation[0] and self.opts.isolation == "bwrap":
                    raise GraderError("--isolation bwrap: " + self._isolation[1])
            if not self._isolation[0]:
                self.log("grade: WARNING: graded code is NOT sandboxed: " + self._isolation[1])
        return self._isolation[0]

    def _isolation_warning(self):
        if self._isolated():
            return None
        return (
            "NOT SANDBOXED: " + self._isolation[1] + ". The graded code ran with the grading user's "
            "rights: it could read the kit (reference/ included), other submissions and the network."
        )

    def _use_linux_sandbox(self):
        if self._isolated():
            return False  # bwrap does more; Bazel's linux-sandbox would nest a user namespace
        if self._sandbox is None:
            if self.opts.sandbox == "linux":
                self._sandbox = True
            elif self.opts.sandbox == "processwrapper":
                self._sandbox = False
            else:
                self._sandbox = bazel_mod.linux_sandbox_works()
        return self._sandbox

    def _common_flags(self):
        flags = [
            f"--disk_cache={self.opts.disk_cache}",
            "--keep_going",
            "--color=no",
            "--curses=no",
            "--show_progress_rate_limit=30",
        ] + self.resource_flags
        for comp in self.opts.reference:
            flags.append(f"--config=reference-{comp}")
        return flags + list(self.opts.bazel_args)

    def _test_flags(self, seed, timeout):
        flags = [
            f"--test_env=TINYKV_SEED={seed}",
            f"--test_timeout={timeout}",
            "--nocache_test_results",
            "--test_output=summary",
            "--test_summary=terse",
            "--test_sharding_strategy=disabled",
            "--flaky_test_attempts=1",
            "--runs_per_test=1",
            "--build_tests_only",
        ]
        if self._isolated():
            # sandbox.py wraps the test binary: Bazel's test runner calls it with the binary.
            script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sandbox.py")
            python = sys.executable if sys.executable.startswith("/usr/") else "/usr/bin/python3"
            prefix = [python, script] + self.opts.limits.args() + ["--"]
            flags += ["--run_under=" + " ".join(shlex.quote(w) for w in prefix), "--strategy=TestRunner=processwrapper-sandbox"]
        elif self._use_linux_sandbox():
            # Tests see the file system read-only, a private /tmp, and no network.
            flags += ["--strategy=TestRunner=linux-sandbox", "--sandbox_default_allow_network=false"]
            if not self.ws.path.startswith("/tmp/"):
                flags.append("--sandbox_tmpfs_path=/tmp")
        return flags

    # -- one submission ----------------------------------------------------------------

    def grade(self, lab_name, source, student, out_dir, git_rev=None, worktree=False):
        """Grades `source` for lab `lab_name`; writes nothing itself but logs under out_dir
        (the caller writes the reports from the returned result)."""
        started = time.time()
        lab = self.manifests.get(lab_name)
        specs = self.manifests.tests(lab_name)
        if self.opts.only:
            unknown = [t for t in self.opts.only if t not in [s.target for s in specs]]
            if unknown:
                raise GraderError(f"not targets of lab {lab_name}: {', '.join(unknown)}")
            specs = [s for s in specs if s.target in self.opts.only]
        result = {
            "grader_version": VERSION,
            "student": student,
            "lab": lab_name,
            "title": lab.title,
            "status": "graded",
            "score": 0.0,
            "max_score": float(sum(s.points for s in specs)),
            "targets": [],
            "build": {"ok": False, "timed_out": False, "errors": "", "log": ""},
            "submission": {},
            "warnings": list(self.manifests.warnings),
            "options": {
                "test_timeout": self.opts.test_timeout,
                "max_test_timeout": self.opts.max_test_timeout,
                "seed_base": self.opts.seed_base,
                "public_only": self.opts.public_only,
                "reference": self.opts.reference,
                "sandbox": "bubblewrap" if self._isolated() else "linux-sandbox" if self._use_linux_sandbox() else "processwrapper-sandbox",
                "limits": self.opts.limits.describe() if self._isolated() else "none",
                "bazel_resources": " ".join(self.resource_flags + self.bazel.startup[1:]),
            },
            "timing": {},
            "workspace": self.ws.path,
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        }
        if self._isolation_warning():
            result["warnings"].insert(0, self._isolation_warning())
        targets = {}
        for spec in specs:
            targets[spec.target] = {
                "target": spec.target,
                "lab": spec.lab,
                "hidden": spec.hidden,
                "scoring": spec.scoring,
                "max_points": spec.points,
                "seeds_planned": self.opts.seed_list(self.opts.seed_count(spec)),
                "timeout": self.opts.timeout_for(spec),
                "seeds_run": [],
                "status": "pending",
                "message": "",
                "points": 0.0,
                "passed": 0,
                "total": 0,
                "cases": [],
                "runs": [],
            }
            if spec.hidden and (self.opts.public_only or not self.hidden_in_kit):
                targets[spec.target]["status"] = "skipped"
                why = "public-only run" if self.opts.public_only else "this copy of the kit has no grader/hidden/"
                targets[spec.target]["message"] = f"hidden suite not run ({why})"
        result["targets"] = list(targets.values())

        # The submission.
        student_files = self.manifests.student_files(lab_name)
        try:
            sub = submission.load(source, student_files, self._pristine(), git_rev=git_rev, worktree=worktree)
        except submission.SubmissionError as e:
            result["status"] = "invalid_submission"
            result["submission"] = {"source": source, "error": str(e)}
            for t in result["targets"]:
                if t["status"] == "pending":
                    t["status"], t["message"] = "not_run", "the submission could not be read"
            result["max_score"] = float(sum(t["max_points"] for t in result["targets"] if t["status"] != "skipped"))
            result["timing"]["total"] = round(time.time() - started, 1)
            return result
        try:
            result["submission"] = sub.summary()
            exclude = [p for p in EXCLUDED_PREFIXES if not (p == "reference/" and self.opts.reference)]
            if self.opts.public_only or not self.hidden_in_kit:
                exclude.append("grader/hidden/")
            self.ws.reset(self._pristine(), exclude)
            self.ws.overlay(sub.files)
        finally:
            sub.cleanup()
        result["timing"]["prepare"] = round(time.time() - started, 1)

        runnable = [s for s in specs if targets[s.target]["status"] == "pending"]
        logs = os.path.join(out_dir, "logs")
        os.makedirs(logs, exist_ok=True)

        # Build.
        t0 = time.time()
        self.log(f"grade: building {len(runnable)} target(s) for lab {lab_name} in {self.ws.path}")
        built = self._build(runnable, targets, result, out_dir)
        result["timing"]["build"] = round(time.time() - t0, 1)

        # Test, seed by seed.
        t0 = time.time()
        if built:
            self._test(built, targets, logs)
        result["timing"]["test"] = round(time.time() - t0, 1)

        # Score.
        for spec in specs:
            t = targets[spec.target]
            if t["status"] in ("skipped", "missing", "build_failed", "not_run"):
                continue
            merged = scoring.merge_seeds(t.pop("_runs", []))
            for case in merged:
                for f in case["failures"]:
                    f["replay"] = replay_command(spec.target, f["seed"], case["name"])
            t["cases"] = merged
            t["points"], t["passed"], t["total"] = scoring.score_target(spec, merged)
            if t["total"] == 0:
                t["status"] = "failed"
                t["message"] = t["message"] or "no test case ran"
            elif t["passed"] == t["total"]:
                t["status"] = "passed"
            else:
                t["status"] = "failed"
        for t in result["targets"]:
            t.pop("_runs", None)
            t.pop("_excluded", None)
            t.pop("_listed", None)
        result["score"] = scoring.total_score(result["targets"])
        # Suites not run here (public-only, or a kit without grader/hidden/) are not graded.
        result["max_score"] = float(sum(t["max_points"] for t in result["targets"] if t["status"] != "skipped"))
        graded = [t for t in result["targets"] if t["status"] not in ("skipped", "missing")]
        if graded and all(t["status"] == "build_failed" for t in graded):
            result["status"] = "build_failed"
        missing = [t["target"] for t in result["targets"] if t["status"] == "missing"]
        if missing:
            result["warnings"].append(
                "kit problem: these targets do not exist and scored 0: " + ", ".join(missing)
            )
        result["timing"]["total"] = round(time.time() - started, 1)
        return result

    # -- build -------------------------------------------------------------------------

    def _build(self, specs, targets, result, out_dir):
        labels = [s.target for s in specs]
        if not labels:
            result["build"]["ok"] = True
            return []
        bep = os.path.join(out_dir, "logs", ".build.bep.json")
        log = os.path.join(out_dir, "logs", ".bazel-build.log")
        os.makedirs(os.path.dirname(bep), exist_ok=True)
        r = self.bazel.run(
            "build",
            self._common_flags() + [f"--build_event_json_file={bep}", "--"] + labels,
            log,
            self.opts.build_timeout,
        )
        ev = bazel_mod.read_events(bep, labels)
        text = util.read_bounded(log, head=64 * 1024, tail=64 * 1024).replace(self.ws.path + "/", "")
        util.atomic_write(os.path.join(out_dir, "build.log"), text)
        for p in (log, bep):
            if os.path.exists(p):
                os.unlink(p)
        result["build"]["log"] = "build.log"
        known = set(ev.built) | set(ev.failed) | set(ev.missing)
        if not r.timed_out and not (known & set(labels)):
            raise GraderError("Bazel did not build anything (is the kit broken?):\n" + util.truncate_text(text, 4000, 4000))
        built = []
        for spec in specs:
            t = targets[spec.target]
            if spec.target in ev.missing:
                t["status"] = "missing"
                why = ev.missing[spec.target].replace(self.ws.path + "/", "")
                t["message"] = "target not found in the kit: " + util.first_line(why, 400)
            elif spec.target in ev.built:
                built.append(spec)
            elif r.timed_out:
                t["status"] = "build_failed"
                t["message"] = f"the build did not finish in {self.opts.build_timeout} s"
            else:
                t["status"] = "build_failed"
                why = ev.failed.get(spec.target, "did not build").replace(self.ws.path + "/", "")
                if "error executing command" in why or "compilation failed" in why.lower():
                    why = "did not compile: see the compiler errors (build.log)"
                t["message"] = util.first_line(why, 400)
        result["build"]["timed_out"] = r.timed_out
        result["build"]["ok"] = len(built) == len([s for s in specs if targets[s.target]["status"] != "missing"])
        if not result["build"]["ok"]:
            result["build"]["errors"] = compiler_errors(text)
            if r.timed_out:
                result["build"]["errors"] = f"the build was stopped after {self.opts.build_timeout} s\n" + result["build"]["errors"]
        return built

    # -- tests -------------------------------------------------------------------------

    def _test(self, specs, targets, logs):
        by_target = {s.target: s for s in specs}
        for s in specs:
            targets[s.target]["_runs"] = []
            targets[s.target]["_excluded"] = set()  # cases that crashed/hung on an earlier seed
            targets[s.target]["_budget"] = self.opts.budget(s)
        rounds = max(len(targets[s.target]["seeds_planned"]) for s in specs)
        for i in range(rounds):
            batch = {}  # (timeout, filter) -> [spec]
            for s in specs:
                t = targets[s.target]
                if i >= len(t["seeds_planned"]):
                    continue
                if s.scoring == "all_or_nothing" and any(
                    not c.passed for _, cases in t["_runs"] for c in cases.values()
                ):
                    continue  # already lost its points: more seeds cannot change them
                flt = self._filter_excluding(s, t, t["seeds_planned"][i], logs, t["_excluded"]) if t["_excluded"] else None
                batch.setdefault((self.opts.timeout_for(s), flt), []).append(s)
            for (timeout, flt), group in batch.items():
                seed = targets[group[0].target]["seeds_planned"][i]
                self.log(f"grade: seed {seed}: testing {len(group)} target(s)")
                self._run_group(group, targets, seed, timeout, flt, logs, tag=f"seed-{seed}")
        for s in specs:
            t = targets[s.target]
            t.pop("_budget", None)
            if s.scoring == "all_or_nothing" and len(t["seeds_run"]) < len(t["seeds_planned"]):
                t["message"] = t["message"] or (
                    f"stopped after seed {t['seeds_run'][-1]}: a failed all-or-nothing target cannot earn points"
                )

    def _invoke(self, labels, seed, timeout, flt, logs, tag, extra=()):
        """One `bazel test` of `labels`: returns the BEP events (test results)."""
        bep = os.path.join(logs, f".{tag}.bep.json")
        log = os.path.join(logs, f".bazel-{tag}.log")
        args = self._common_flags() + self._test_flags(seed, timeout) + [f"--build_event_json_file={bep}"]
        if flt:
            args.append(f"--test_arg=--gtest_filter={flt}")
        args += list(extra)
        jobs = self.cpus
        wall = math.ceil(len(labels) / jobs) * timeout * 1.5 + self.opts.wall_margin
        r = self.bazel.run("test", args + ["--"] + labels, log, wall)
        ev = bazel_mod.read_events(bep, labels)
        client_log = util.read_bounded(log, 8192, 8192)
        for p in (bep, log):
            if os.path.exists(p):
                os.unlink(p)
        if r.timed_out:
            # Bazel enforces the tests' own time limits; if it overruns this one, Bazel itself
            # is stuck: no score from this run can be trusted (a batch retries it later).
            raise GraderError(
                f"`bazel test` did not finish within the grader's wall-clock limit of {wall:.0f} s:\n"
                + util.truncate_text(client_log, 3000, 3000)
            )
        return ev

    def _run_group(self, group, targets, seed, timeout, flt, logs, tag):
        t0 = time.time()
        ev = self._invoke([s.target for s in group], seed, timeout, flt, logs, tag)
        for spec in group:
            t = targets[spec.target]
            if seed not in t["seeds_run"]:
                t["seeds_run"].append(seed)
            cases = self._collect(spec, t, ev, seed, timeout, logs, tag, flt)
            t["_runs"].append((seed, cases))
        return time.time() - t0

    def _collect(self, spec, t, ev, seed, timeout, logs, tag, flt):
        """The cases of one target's run, with reruns after a crash or a time-out."""
        run = ev.tests.get(spec.target)
        cases, ended, how = self._read_run(spec, t, run, ev, seed, timeout, logs, tag, flt)
        if ended:
            return cases
        # The binary died: fail the case that was running, rerun the rest without it.
        reruns = 0
        while t["_budget"] > 0 and reruns < MAX_RERUNS:
            reruns += 1
            skip = set(cases) | t["_excluded"]
            start = time.time()
            rest = self._filter_excluding(spec, t, seed, logs, skip)
            if rest == NOTHING:
                t["_budget"] -= time.time() - start
                ended = True  # the case that died was the last one
                break
            self.log(f"grade: {spec.target} died ({how}); rerunning the cases after it")
            ev2 = self._invoke([spec.target], seed, timeout, rest, logs, f"{tag}-rerun{reruns}")
            t["_budget"] -= time.time() - start
            more, ended, how2 = self._read_run(
                spec, t, ev2.tests.get(spec.target), ev2, seed, timeout, logs, f"{tag}-rerun{reruns}", rest
            )
            how = how2
            progress = [n for n in more if n not in cases]
            for n in progress:
                cases[n] = more[n]
            if ended or not progress:
                break
        if not ended:
            # What never ran still counts: ask the binary for its full list of cases.
            for name in self._listed(spec, t, seed, logs):
                if name not in cases and name not in t["_excluded"]:
                    cases[name] = gtest.CaseResult(
                        name, False, "not_run",
                        "not run: the test binary kept dying and the grader's time budget for reruns ran out",
                    )
        for name in [n for n, c in cases.items() if c.kind == "timeout"]:
            if t["_budget"] <= 0:
                break
            cases[name] = self._retry_timeout(spec, t, cases[name], seed, timeout, logs, tag)
        for name, c in cases.items():
            if c.kind in ("crashed", "timeout"):
                t["_excluded"].add(name)
        return cases

    def _retry_timeout(self, spec, t, first, seed, timeout, logs, tag):
        """A case stopped at its time limit runs once more, alone. The limit is wall-clock time,
        which a busy machine also uses up for a correct run; a run that really does not end
        (the simulation is deterministic) times out again and keeps its first verdict."""
        self.log(f"grade: {spec.target}: {first.name} hit the {timeout} s time limit; running it once more, alone")
        start = time.time()
        rtag = f"{tag}-timeout-retry"
        ev = self._invoke([spec.target], seed, timeout, first.name, logs, rtag)
        t["_budget"] -= time.time() - start
        again, _, _ = self._read_run(spec, t, ev.tests.get(spec.target), ev, seed, timeout, logs, rtag, first.name)
        second = again.get(first.name)
        if second is not None and second.kind != "timeout":
            return second  # passed, or failed in a way that says more than a time limit
        first.message += f"\n(run once more alone, it hit the {timeout} s limit again)"
        return first

    def _read_run(self, spec, t, run, ev, seed, timeout, logs, tag, flt):
        """({case: CaseResult}, ended normally?, how) for one run of one target; copies its
        log and XML into the report's logs."""
        entry = {"seed": seed, "tag": tag, "filter": flt, "status": None, "seconds": None, "log": None}
        t["runs"].append(entry)
        if run is None:
            why = "Bazel reported no result for this target"
            entry["status"] = "NO_RESULT"
            entry["note"] = why
            t["message"] = t["message"] or why
            return {}, False, why
        entry["status"] = run.status
        entry["seconds"] = round(run.millis / 1000.0, 2)
        log_text = ""
        if run.log:
            log_text = util.read_bounded(run.log)
            log_text = "\n".join(l for l in log_text.splitlines() if not _SANDBOX_NOISE.match(l))
            rel = os.path.join("logs", util.safe_name(spec.target), f"{tag}.log")
            util.atomic_write(os.path.join(os.path.dirname(logs), rel), log_text + "\n")
            entry["log"] = rel
        is_gtest, cases = gtest.parse_xml(run.xml) if run.xml else (False, {})
        self._timelines(spec, run, cases, log_text, seed, os.path.dirname(logs))
        if is_gtest and run.status in ("PASSED", "FAILED", "FLAKY"):
            if run.status != "PASSED" and cases and all(c.passed for c in cases.values()):
                code = _exit_code(run.xml)
                cases[EXIT_CASE] = gtest.CaseResult(
                    EXIT_CASE, False, "exit",
                    f"every case passed but the test binary then failed (exit code {code}); last output:\n"
                    + "\n".join(log_text.splitlines()[-30:]),
                )
            return cases, True, run.status
        # No XML from gtest: the binary died. The log says what finished and what was running.
        done, running, running_lines = gtest.parse_log(log_text)
        code = _exit_code(run.xml) if run.xml else None
        if run.status == "TIMEOUT":
            kind, why = "timeout", f"killed: did not finish within the {timeout} s time limit"
        else:
            kind, why = "crashed", "the test binary died" + (f" ({_describe_exit(code)})" if code is not None else f" (Bazel status {run.status})")
        if running is not None:
            tail = "\n".join(running_lines[-40:])
            done[running] = gtest.CaseResult(running, False, kind, f"{why} while running this case; its last output:\n{tail}")
        elif run.status == "PASSED":
            return done, True, run.status  # no gtest XML but a clean exit: trust the log
        t["message"] = t["message"] or why
        entry["note"] = why
        return done, False, why

    def _timelines(self, spec, run, cases, log_text, seed, report_dir):
        """Copies the failed cases' timelines next to the report (timelines.py)."""
        if spec.hidden and not self.opts.show_hidden_timelines:
            return
        run_file = run.log or run.xml
        if not run_file:
            return
        failed = {n for n, c in cases.items() if not c.passed}
        pages = timelines.collect(log_text, timelines.outputs_dir(run_file), failed, report_dir, spec.target, seed)
        for name, rel in pages.items():
            cases[name].timeline = rel

    def _listed(self, spec, t, seed, logs):
        """The target's cases as its binary lists them (once per target and grading)."""
        if "_listed" not in t:
            t["_listed"] = self._list_cases(spec, seed, logs, f"seed-{seed}")
        return t["_listed"]

    def _filter_excluding(self, spec, t, seed, logs, skip):
        """A --gtest_filter that runs the target's cases except `skip`: the cases its binary
        lists, named one by one (NOTHING if none is left). Not "-A:B": a --gtest_filter given
        to `bazel test` replaces the one in the target's own `args` (one source built into a
        target per lab, each filtered to its lab's cases), so an exclusion filter would run
        the other labs' cases too. Falls back to one if the binary lists nothing."""
        listed = self._listed(spec, t, seed, logs)
        if not listed:
            return gtest.exclusion_filter(skip)
        rest = [n for n in listed if n not in skip]
        return ":".join(rest) if rest else NOTHING

    def _list_cases(self, spec, seed, logs, tag):
        ev = self._invoke([spec.target], seed, self.opts.timeout_for(spec), None, logs, f"{tag}-list", extra=["--test_arg=--gtest_list_tests"])
        run = ev.tests.get(spec.target)
        if run is None or not run.log:
            return []
        return gtest.parse_test_list(util.read_bounded(run.log, 1 << 20, 1 << 20))


def _exit_code(xml_path):
    try:
        with open(xml_path, encoding="utf-8", errors="replace") as f:
            m = _EXIT_CODE.search(f.read(64 * 1024))
        return int(m.group(1)) if m else None
    except OSError:
        return None


_SIGNALS = {4: "SIGILL", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE", 9: "SIGKILL", 11: "SIGSEGV", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM", 24: "SIGXCPU: CPU time limit", 25: "SIGXFSZ: output too large"}


def _describe_exit(code):
    if code is not None and code > 128:
        sig = code - 128
        return f"signal {sig}, {_SIGNALS.get(sig, 'killed')}"
    return f"exit code {code}"


_ERROR_LINE = re.compile(r"(: (fatal )?error: |^ERROR: |: undefined reference to |collect2: error)")


def compiler_errors(text, max_lines=200):
    """The compiler's and linker's error messages from a build log, with a few lines of
    context after each, without Bazel's progress chatter."""
    lines = text.splitlines()
    out, keep_until, in_command = [], -1, False
    for i, line in enumerate(lines):
        if line.startswith("  (cd "):
            in_command = True  # Bazel echoes the failed command line: noise for a student
        if in_command:
            in_command = line.endswith("\\")
            continue
        if line.startswith(("ERROR: Skipping", "WARNING:")):
            continue  # a target missing from the kit: reported per target
        if _ERROR_LINE.search(line):
            keep_until = i + 6
            line = line.replace(": process-wrapper failed: error executing command", "").rstrip()
        if i <= keep_until and not line.startswith(("INFO:", "Loading:", "Analyzing:", "[", "FAILED:", "Target ")):
            out.append(line)
        if len(out) >= max_lines:
            out.append("[... more errors in build.log ...]")
            break
    return "\n".join(out)


def clean_dir(path):
    shutil.rmtree(path, ignore_errors=True)
