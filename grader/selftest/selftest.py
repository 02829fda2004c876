"""The grader's end-to-end self-test: grades known submissions with real Bazel builds and
checks every score against grader/selftest/expected.json.

Submissions are made on the fly: the reference (reference/ files as the submission), the
untouched stubs, and the reference with each patch of grader/selftest/patches applied (a
Raft that votes twice, one that ignores higher terms, one that does not compile, one that
hangs, ...). expected.json says, per submission and lab, the exact score the rubric must give
and which cases must fail (or pass) in which target, each with the reason the bug makes it
fail; every other case must pass (or fail). A target the kit lacks (a hidden suite not written
yet) or that does not build even for the reference is a *kit* problem: reported, and fatal
only with --strict.

Re-baselining (a suite gained cases): run with --show, read each new mismatch's failure in its
report, and list the case with its reason only if the planted bug explains it; then redo the
'score' arithmetic. See expected.json's _doc.

Run it through scripts/grader_selftest.sh.
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
KIT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, KIT)

from grader import batch, manifest, report, runner, workspace  # noqa: E402


def make_submissions(kit, ms, spec, dest, port=0):
    """One submission per entry of expected.json under dest, in its "form": a folder (default),
    a .tar.gz or .zip that wraps the tree in a top folder (as a download from a git host does),
    or a git repository whose working tree holds an uncommitted edit that does not compile (the
    grader must grade HEAD). Returns {name: path}."""
    files = ms.all_student_files()
    paths = {}
    for name, s in spec["submissions"].items():
        d = os.path.join(dest, name)
        os.makedirs(d)
        base = os.path.join(kit, "reference") if s["from"] == "reference" else kit
        for rel in files:
            src = os.path.join(base, rel)
            if os.path.exists(src):
                os.makedirs(os.path.dirname(os.path.join(d, rel)), exist_ok=True)
                shutil.copyfile(src, os.path.join(d, rel))
        if s.get("patch"):
            with open(os.path.join(HERE, "patches", s["patch"]), "rb") as p:
                r = subprocess.run(
                    ["patch", "-p1", "--no-backup-if-mismatch", "--quiet", "-d", d],
                    stdin=p, capture_output=True,
                )
            if r.returncode != 0:
                raise SystemExit(f"selftest: patch {s['patch']} does not apply to the reference:\n"
                                 + r.stdout.decode() + r.stderr.decode())
            _fill_in(d, files, {"@KIT@": kit, "@SUBMISSIONS@": dest, "@HOME@": os.path.expanduser("~"), "@PORT@": str(port)})
        paths[name] = _package(d, s.get("form", "dir"))
    return paths


def _fill_in(d, files, values):
    """The hostile submission's targets: the real paths of the kit, of the other submissions
    and of the grader's home, and the port the self-test listens on (see _Escapes)."""
    for rel in files:
        path = os.path.join(d, rel)
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if "@KIT@" in text:
            for k, v in values.items():
                text = text.replace(k, v)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)


class _Escapes:
    """Evidence, gathered outside the sandbox, that a hostile submission got out: a
    connection to a port the self-test listens on (on the host's 127.0.0.1), or a file it
    wrote into the kit or next to the other submissions."""

    MARK = "hostile-was-here"

    def __init__(self, kit, subs):
        self.kit, self.subs = kit, subs
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]

    def found(self):
        out = []
        self.sock.setblocking(False)
        try:
            conn, peer = self.sock.accept()
            conn.close()
            out.append(f"a graded test connected to the self-test's port {self.port} on 127.0.0.1")
        except (BlockingIOError, OSError):
            pass
        for d in (self.kit, self.subs):
            if os.path.exists(os.path.join(d, self.MARK)):
                out.append(f"a graded test wrote {os.path.join(d, self.MARK)}")
                os.unlink(os.path.join(d, self.MARK))
        self.sock.close()
        return out


def _log_contains(report_dir, text):
    for dirpath, _, names in os.walk(os.path.join(report_dir, "logs")):
        for n in names:
            with open(os.path.join(dirpath, n), encoding="utf-8", errors="replace") as f:
                if text in f.read():
                    return True
    return False


def _package(d, form):
    if form == "dir":
        return d
    if form in ("tar.gz", "zip"):
        wrapped = os.path.join(os.path.dirname(d), ".wrap-" + os.path.basename(d))
        os.makedirs(wrapped)
        os.rename(d, os.path.join(wrapped, "tinykv-main"))
        out = shutil.make_archive(d, "gztar" if form == "tar.gz" else "zip", wrapped, "tinykv-main")
        shutil.rmtree(wrapped)
        return out
    if form == "git":
        env = dict(os.environ, GIT_AUTHOR_NAME="s", GIT_AUTHOR_EMAIL="s@s", GIT_COMMITTER_NAME="s",
                   GIT_COMMITTER_EMAIL="s@s")
        for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "lab"]):
            subprocess.run(["git", *args], cwd=d, env=env, check=True, capture_output=True)
        with open(os.path.join(d, "raft", "raft.cc"), "a") as f:
            f.write("\nuncommitted edit that does not compile;\n")
        return d
    raise SystemExit(f"selftest: unknown form {form!r}")


def _case_sets(t):
    passed = {c["name"] for c in t.get("cases", []) if c["passed"]}
    failed = {c["name"] for c in t.get("cases", []) if not c["passed"]}
    return passed, failed


def expectation(want):
    """A target's expectation in expected.json -> (mode, must, maybe).

    The usual form is a dict {case: why}: each named case must fail (for the stubs: pass),
    every other case must pass (fail). A case written "?Name" may go either way (a randomized
    cluster may or may not meet the bug on the fixed seeds; its "why" says so). {"*": why}: the
    target must lose its points, which cases fail is not checked (an all-or-nothing hidden suite);
    {"any": why}: not checked at all. Plain lists and the strings "*"/"any" are accepted too."""
    if isinstance(want, str):
        return want, set(), set()
    if isinstance(want, dict):
        for mode in ("*", "any"):
            if mode in want:
                return mode, set(), set()
        return "exact", {k for k in want if not k.startswith("?")}, {k[1:] for k in want if k.startswith("?")}
    return "exact", set(want or []), set()


def check(result, exp, kit_problems, report_dir=None):
    """A list of mismatches between one grading and its expectation."""
    problems = []
    if exp.get("max_log_bytes") and report_dir:
        sizes = []
        for dirpath, _, names in os.walk(os.path.join(report_dir, "logs")):
            sizes += [(os.path.getsize(os.path.join(dirpath, n)), n) for n in names]
        big = [f"{n} ({b} bytes)" for b, n in sizes if b > exp["max_log_bytes"]]
        if big:
            problems.append("logs not truncated: " + ", ".join(big))
        if not sizes:
            problems.append("no logs in the report")
    if "status" in exp and result["status"] != exp["status"]:
        problems.append(f"status {result['status']}, expected {exp['status']}")
    if exp.get("log_contains") and report_dir and not _log_contains(report_dir, exp["log_contains"]):
        problems.append(f"no log in the report says {exp['log_contains']!r}")
    if exp.get("build_errors_contain") and exp["build_errors_contain"] not in result["build"].get("errors", ""):
        problems.append(f"build errors do not mention {exp['build_errors_contain']!r}")
    # (A kit problem, e.g. a hidden suite not written yet, changes every score: reported apart.)
    if "score" in exp and not kit_problems and abs(result["score"] - exp["score"]) > 0.01:
        problems.append(f"score {result['score']}, expected {exp['score']}")
    fail, pas = exp.get("fail"), exp.get("pass")
    for t in result["targets"]:
        label = t["target"]
        if label in kit_problems or t["status"] in ("skipped", "missing"):
            continue
        if exp.get("status") == "build_failed":
            if t["status"] != "build_failed":
                problems.append(f"{label}: {t['status']}, expected build_failed")
            continue
        passed, failed = _case_sets(t)
        if t["status"] == "build_failed":
            problems.append(f"{label}: did not build")
            continue
        if pas is not None:
            mode, want_pass, maybe = expectation(pas.get(label, {}))
            if mode == "exact" and not (want_pass <= passed <= want_pass | maybe):
                problems.append(
                    f"{label}: passed {sorted(passed - want_pass - maybe)} unexpectedly, failed {sorted(want_pass - passed)} unexpectedly"
                )
            if t["points"] > 0 and not want_pass and not maybe:
                problems.append(f"{label}: scored {t['points']} with nothing expected to pass")
        else:
            mode, want, maybe = expectation((fail or {}).get(label, {}))
            if mode == "any":
                continue
            if mode == "*":
                if not failed:
                    problems.append(f"{label}: every case passed; expected failures")
            elif not (want <= failed <= want | maybe):
                extra, missing = sorted(failed - want - maybe), sorted(want - failed)
                problems.append(f"{label}: unexpected failures {extra}; expected but passed {missing}")
        # kinds: {case: kind} the case must fail that way; {"*": kind} every failure must.
        kinds = exp.get("kinds", {}).get(label, {})
        for case, kind in kinds.items():
            if case == "*":
                got = {f["kind"] for c in t.get("cases", []) for f in c["failures"]}
                if got - {kind}:
                    problems.append(f"{label}: every failure should be {kind}, got {sorted(got)}")
                continue
            got = [f["kind"] for c in t.get("cases", []) if c["name"] == case for f in c["failures"]]
            if kind not in got:
                problems.append(f"{label}: {case} should fail as {kind}, got {got or 'passed/absent'}")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", help="where the reports go (default: ~/.cache/tinykv-grader/selftest, replaced each run)")
    ap.add_argument("--only", action="append", default=[], help="only this submission (repeatable)")
    ap.add_argument("--lab", action="append", default=[], help="only this lab (repeatable)")
    ap.add_argument("--strict", action="store_true", help="fail on kit problems (missing hidden suites, ...)")
    ap.add_argument("--show", action="store_true", help="print each grading's table")
    a = ap.parse_args()
    with open(os.path.join(HERE, "expected.json")) as f:
        spec = json.load(f)
    if a.only:
        spec["submissions"] = {k: v for k, v in spec["submissions"].items() if k in a.only or k == "reference"}
    ms = manifest.load_manifests(KIT)
    # Every top-level lab (one no other lab includes) is graded for the submissions marked
    # "all_labs" (the reference must get full marks and the stubs nothing, whatever lab is
    # added later); the planted bugs only for the labs expected.json names.
    included = {inc for lab in ms.labs for inc in lab.includes}
    top = [n for n in ms.names() if n not in included]
    labs = a.lab or spec["labs"] + [n for n in top if n not in spec["labs"]]
    out = a.out or os.path.join(workspace.DEFAULT_ROOT, "selftest")  # wiped: reports of the last run only
    if not a.out:
        shutil.rmtree(out, ignore_errors=True)
    subs = os.path.join(out, "submissions")
    shutil.rmtree(subs, ignore_errors=True)
    escapes = _Escapes(KIT, subs)
    paths = make_submissions(KIT, ms, spec, subs, escapes.port)

    # The grader's defaults (60 s per test binary, the manifests' own limits for the cluster
    # suites, reruns within 3 x the limit): what an instructor's grading uses.
    opts = runner.Options(
        test_timeout=spec.get("test_timeout", runner.Options().test_timeout),
        rerun_budget=spec.get("rerun_budget"),
        seed_base=spec.get("seed_base", 1),
    )
    start = time.time()
    rows, failures, kit_notes = [], 0, []
    with workspace.Workspace() as ws:
        g = runner.Grader(KIT, ms, ws, opts)
        for lab in labs:
            lab_out = os.path.join(out, lab)
            times = {}

            def one(student, path, tmp, lab=lab, times=times):
                sub = spec["submissions"][student]
                # A submission may cap every time limit (the hanging one, so that each hang
                # costs seconds, not the cluster suites' minutes) and grade only some targets.
                g.opts.max_test_timeout = sub.get("max_test_timeout")
                g.opts.only = sub.get("only", {}).get(lab, [])
                t0 = time.time()
                r = g.grade(lab, path, student, tmp)
                times[student] = time.time() - t0
                return r

            # What the reference cannot pass is the kit's problem, not the grader's (read below).
            order = [
                n for n, s in spec["submissions"].items()
                if s.get("all_labs") or lab in s["expect"] or (lab in spec["labs"] and "*" in s["expect"])
            ]
            if not order:
                continue
            staged = os.path.join(out, "staged-" + lab)
            shutil.rmtree(staged, ignore_errors=True)
            os.makedirs(staged)
            for n in order:
                os.symlink(paths[n], os.path.join(staged, os.path.basename(paths[n])))
            print(f"selftest: lab {lab}: grading {', '.join(order)}", flush=True)
            batch.run_batch(one, lab, ms.max_points(lab), staged, lab_out, force=True,
                            log=lambda m: print("selftest:   " + m, flush=True))
            ref = batch.read_summary(os.path.join(lab_out, "reference")) or {}
            kit_problems = {}
            for t in ref.get("targets", []):
                if t["status"] in ("missing", "build_failed") or (t["status"] == "failed" and t["total"] == 0):
                    kit_problems[t["target"]] = t["status"] + (": " + t["message"] if t["message"] else "")
            for label, why in kit_problems.items():
                kit_notes.append(f"lab {lab}: {label}: {why}")
            for n in order:
                r = batch.read_summary(os.path.join(lab_out, n))
                exp = spec["submissions"][n]["expect"].get(lab, spec["submissions"][n]["expect"].get("*", {}))
                problems = ["grader error: " + r.get("error", "")[-500:]] if r["status"] == "error" else check(r, exp, kit_problems, os.path.join(lab_out, n))
                form = spec["submissions"][n].get("form", "dir")
                kind = {"dir": "directory", "tar.gz": "archive", "zip": "archive", "git": "git"}[form]
                if r.get("submission", {}).get("kind") != kind:
                    problems.append(f"read as {r.get('submission', {}).get('kind')!r}, handed in as {form}")
                if form == "git" and r.get("status") == "build_failed":
                    problems.append("the git submission's uncommitted edit was graded instead of HEAD")
                failures += bool(problems)
                rows.append((n, lab, r, times.get(n, 0), problems))
                if a.show:
                    print(report.text_report(r))
    wall = time.time() - start
    # What the hostile submission did that its own report would not show.
    evidence = escapes.found()
    for i, (n, lab, r, secs, problems) in enumerate(rows):
        if spec["submissions"][n].get("hostile") and evidence:
            problems.extend(evidence)
            failures += 1
            break

    print(f"{'submission':<24} {'lab':<4} {'score':>15}  {'status':<14} {'time':>6}  verdict")
    for n, lab, r, secs, problems in rows:
        score = f"{report._fmt(r['score'])} / {report._fmt(r['max_score'])}"
        print(f"{n:<24} {lab:<4} {score:>15}  {r['status']:<14} {secs:5.1f}s  {'ok' if not problems else 'MISMATCH'}")
        for p in problems:
            print(f"    {p}")
    if kit_notes:
        print("\nKit problems (targets the reference cannot pass; not held against the grader" + ("" if not a.strict else ", but --strict") + "):")
        for k in sorted(set(kit_notes)):
            print("  " + k)
    print(f"\nReports: {out}")
    print(f"Self-test wall time: {wall:.1f} s for {len(rows)} gradings")
    bad = failures + (len(kit_notes) if a.strict else 0)
    print(f"{len(rows) - failures} passed, {failures} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
