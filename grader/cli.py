"""Command line: `scripts/grade.sh <command> ...` (or `python3 -m grader <command> ...`).

  grade       grade one submission (a folder, an archive or a git repository)
  batch       grade a folder of submissions into grades.csv and one report folder each
  labs        list the labs, their student files, targets and points
  gradescope  run inside Gradescope's autograder (reads /autograder/submission)
  gradescope-package  write the autograder zip to upload to Gradescope for one lab
  verify-seeds  check that the reference passes every (target, seed) a grading of the lab runs
"""

import argparse
import json
import os
import shlex
import sys
import time

from grader import batch, manifest, release, report, runner, verify, workspace

KIT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _common(p):
    g = p.add_argument_group("grading options")
    g.add_argument("--kit", default=KIT_ROOT, help="the kit to grade against (default: the one holding this grader)")
    g.add_argument("--test-timeout", type=int, default=60,
                   help="seconds per run of a test binary, for targets whose manifest sets no timeout (default 60)")
    g.add_argument("--max-test-timeout", type=int,
                   help="caps every target's time limit, the manifests' own included (a quick run)")
    g.add_argument("--build-timeout", type=int, default=900, help="wall seconds for the build (default 900)")
    g.add_argument("--seeds", type=int, help="seed count for randomized targets (those the manifest gives seeds > 1)")
    g.add_argument("--seeds-every", type=int, help="seed count for every target")
    g.add_argument("--seed-base", type=int, default=1, help="the first seed; seeds are consecutive (default 1)")
    g.add_argument("--rerun-budget", type=int, help="seconds of reruns per target after crashes/time-outs (default 3 x its time limit, at least 60)")
    g.add_argument("--public-only", action="store_true", help="leave the hidden suites out")
    g.add_argument("--show-hidden-timelines", action="store_true",
                   help="copy the failure timelines of hidden suites into the report too (they show the hidden scenario)")
    g.add_argument("--sandbox", choices=["auto", "linux", "processwrapper"], default="auto",
                   help="sandbox for test runs (auto: linux-sandbox when it works here)")
    g.add_argument("--isolation", choices=["auto", "bwrap", "none"], default="auto",
                   help="run each test binary in a bubblewrap sandbox (auto: where bwrap works, else a warning in every report)")
    g.add_argument("--disk-cache", default=runner.DEFAULT_DISK_CACHE, help="Bazel --disk_cache shared by all gradings")
    g.add_argument("--bazel", default="bazel", help="the bazel binary")
    g.add_argument("--bazel-arg", action="append", default=[], help="an extra Bazel flag (repeatable)")
    g.add_argument("--reference-component", action="append", default=[], choices=["raft", "kv", "raftstore"],
                   help="build this component from reference/ (e.g. raft, to grade 2B on top of a working Raft)")
    g.add_argument("--only", action="append", default=[], help="grade only this target (repeatable)")
    g.add_argument("--workspace", help="a fixed scratch workspace path (default: a free slot under --workspace-root)")
    g.add_argument("--workspace-root", default=workspace.DEFAULT_ROOT, help="where scratch workspaces live")
    g.add_argument("--hidden-visibility", default="after_published",
                   help="Gradescope visibility of hidden targets (visible, hidden, after_due_date, after_published)")
    g.add_argument("--shutdown", action="store_true", help="stop the workspace's Bazel server at the end")
    g.add_argument("--cpus", type=int, help="CPUs Bazel may use: compilers and test binaries at once "
                   "(default: this process's CPU affinity and cgroup quota, not the host's CPU count)")
    g.add_argument("--memory-mb", type=int, help="memory the grading may use (default: MemTotal or the cgroup "
                   "limit); sizes Bazel's local_ram_resources and its server's Java heap")


def _options(a):
    return runner.Options(
        test_timeout=a.test_timeout,
        max_test_timeout=a.max_test_timeout,
        build_timeout=a.build_timeout,
        seeds=a.seeds,
        seeds_every=a.seeds_every,
        seed_base=a.seed_base,
        rerun_budget=a.rerun_budget,
        public_only=a.public_only,
        sandbox=a.sandbox,
        isolation=a.isolation,
        disk_cache=os.path.expanduser(a.disk_cache),
        bazel=a.bazel,
        bazel_args=a.bazel_arg,
        reference=a.reference_component,
        only=a.only,
        show_hidden_timelines=a.show_hidden_timelines,
        cpus=a.cpus,
        memory_mb=a.memory_mb,
    )


def _student_name(source):
    base = os.path.basename(os.path.normpath(source))
    for suffix in (".tar.gz", ".tar.bz2", ".tar.xz", ".tgz", ".tbz2", ".txz", ".tar", ".zip", ".bundle", ".git"):
        if base.lower().endswith(suffix):
            return base[: -len(suffix)]
    return base


def parser():
    p = argparse.ArgumentParser(prog="grade", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)

    g = sub.add_parser("grade", help="grade one submission")
    g.add_argument("submission", help="a folder, a .tar/.tar.gz/.zip archive, or a git repository/bundle/URL")
    g.add_argument("--lab", required=True)
    g.add_argument("--student", help="the name in the reports (default: the submission's file name)")
    g.add_argument("--out", help="report folder (default: grading/<lab>/<student>)")
    g.add_argument("--git-rev", help="the commit to grade in a git submission (default HEAD)")
    g.add_argument("--worktree", action="store_true", help="grade a git repository's working tree, not its HEAD commit")
    g.add_argument("--json", action="store_true", help="print summary.json instead of the table")
    _common(g)

    b = sub.add_parser("batch", help="grade a folder of submissions into one CSV")
    b.add_argument("submissions", help="a folder with one entry per student (folder, archive or git bundle)")
    b.add_argument("--lab", required=True)
    b.add_argument("--out", required=True, help="the folder for grades.csv and one report folder per student")
    b.add_argument("--force", action="store_true", help="grade again students already graded")
    _verify_flags(b)
    _common(b)

    l = sub.add_parser("labs", help="list the labs")
    l.add_argument("--kit", default=KIT_ROOT)
    l.add_argument("--json", action="store_true")

    s = sub.add_parser("gradescope", help="grade inside Gradescope's autograder")
    s.add_argument("--lab", required=True)
    s.add_argument("--submission", default="/autograder/submission")
    s.add_argument("--results", default="/autograder/results/results.json")
    s.add_argument("--out", default="/autograder/results/grading")
    _common(s)

    z = sub.add_parser("gradescope-package", help="write the autograder zip to upload to Gradescope")
    z.add_argument("zip", help="the zip file to write")
    z.add_argument("--lab", required=True)
    z.add_argument("--kit", default=KIT_ROOT)
    z.add_argument("--grade-flags", default="", help="extra flags for the grader inside Gradescope (e.g. '--test-timeout 120')")
    zl = z.add_argument_group("the seed check on this machine (the grading flags come from --grade-flags)")
    zl.add_argument("--bazel", default="bazel", help="the bazel binary")
    zl.add_argument("--disk-cache", default=runner.DEFAULT_DISK_CACHE, help="Bazel --disk_cache")
    zl.add_argument("--workspace", help="a fixed scratch workspace path")
    zl.add_argument("--workspace-root", default=workspace.DEFAULT_ROOT, help="where scratch workspaces live")
    _verify_flags(z)

    v = sub.add_parser("verify-seeds", help="check the reference on every (target, seed) the grader runs for a lab")
    v.add_argument("--lab", required=True)
    v.add_argument("--out", help="where the reference's report goes when a check runs (default grading/verify-seeds/<lab>)")
    v.add_argument("--no-cache", action="store_true", help="check again even if this plan passed on these sources")
    _common(v)
    return p


def _verify_flags(p):
    p.add_argument("--skip-verify-seeds", action="store_true",
                   help="do not check the reference on the grading's seeds first (not recommended: a seed the "
                   "reference fails costs every correct submission its points)")


def _verify_cache(a):
    return os.path.join(os.path.expanduser(a.workspace_root), "verified-seeds")


def _run_verify(a, ms, ws, opts, report_dir, use_cache=True):
    """Runs the seed check; prints its outcome; True when the grading may go on."""
    out = verify.verify(a.kit, ms, a.lab, ws, opts, _verify_cache(a), report_dir=report_dir, use_cache=use_cache,
                        log=lambda m: print(m, file=sys.stderr))
    (sys.stdout if out.ok else sys.stderr).write(out.text())
    return out.ok


def _skip_warning():
    print("WARNING: --skip-verify-seeds: the reference was not checked on this grading's seeds; a seed it fails "
          "would cost every correct submission its points", file=sys.stderr)


def cmd_verify_seeds(a):
    ms = manifest.load_manifests(a.kit)
    ms.get(a.lab)
    out = a.out or os.path.join("grading", "verify-seeds", a.lab)
    with _workspace(a) as ws:
        g_opts = _options(a)
        try:
            ok = _run_verify(a, ms, ws, g_opts, out, use_cache=not a.no_cache)
        finally:
            if a.shutdown:
                runner.Grader(a.kit, ms, ws, g_opts).bazel.shutdown()
    return 0 if ok else 1


def cmd_gradescope_package(a):
    from grader import gradescope

    # The check runs the seeds the grader inside Gradescope will run: its flags are --grade-flags.
    try:
        g = parser().parse_args(["gradescope", "--lab", a.lab, "--kit", a.kit, "--bazel", a.bazel, "--disk-cache",
                                 a.disk_cache, "--workspace-root", a.workspace_root]
                                + (["--workspace", a.workspace] if a.workspace else []) + shlex.split(a.grade_flags))
    except SystemExit:
        print(f"grade: --grade-flags {a.grade_flags!r} are not flags of the grader", file=sys.stderr)
        return 2
    if a.skip_verify_seeds:
        _skip_warning()
    else:
        ms = manifest.load_manifests(a.kit)
        ms.get(a.lab)
        with _workspace(g) as ws:
            ok = _run_verify(g, ms, ws, _options(g), os.path.abspath(a.zip) + ".verify-seeds")
        if not ok:
            print(f"grade: no autograder written: the reference fails seeds of lab {a.lab} (above)", file=sys.stderr)
            return 1
    n = gradescope.package(a.kit, a.lab, a.zip, a.grade_flags)
    print(f"{a.zip}: autograder for lab {a.lab} ({n} kit files, without reference/); upload it on Gradescope")
    return 0


def cmd_labs(a):
    ms = manifest.load_manifests(a.kit)
    if a.json:
        out = []
        for name in ms.names():
            out.append({
                "name": name,
                "title": ms.get(name).title,
                "includes": ms.get(name).includes,
                "student_files": ms.student_files(name),
                "max_points": ms.max_points(name),
                "tests": [vars(t) for t in ms.tests(name)],
            })
        print(json.dumps(out, indent=2))
        return 0
    for name in ms.names():
        lab = ms.get(name)
        print(f"lab {name}: {lab.title} ({ms.max_points(name):g} points)" + (f", includes {', '.join(lab.includes)}" if lab.includes else ""))
        for t in ms.tests(name):
            extra = f", {t.seeds} seeds" if t.seeds > 1 else ""
            extra += f", {t.timeout} s time limit" if t.timeout else ""
            print(f"  {t.points:>5g}  {t.scoring:<15} {t.target}{' (hidden)' if t.hidden else ''}{extra}")
    for w in ms.warnings:
        print("WARNING:", w)
    return 0


def _grader(a, ws):
    ms = manifest.load_manifests(a.kit)
    return runner.Grader(a.kit, ms, ws, _options(a), log=lambda m: print(m, file=sys.stderr))


def _workspace(a):
    return workspace.Workspace(root=os.path.expanduser(a.workspace_root), path=a.workspace)


def cmd_grade(a):
    student = a.student or _student_name(a.submission)
    out = a.out or os.path.join("grading", a.lab, student)
    with _workspace(a) as ws:
        g = _grader(a, ws)
        try:
            os.makedirs(out, exist_ok=True)
            result = g.grade(a.lab, a.submission, student, out, git_rev=a.git_rev, worktree=a.worktree)
        finally:
            if a.shutdown:
                g.bazel.shutdown()
    report.write_reports(result, out, a.hidden_visibility)
    if a.json:
        print(json.dumps(result, indent=2))
    else:
        print(report.text_report(result), end="")
        print(f"\nReports in {out}/ (report.txt, summary.json, results.json, junit.xml, logs/)")
    return 0


def cmd_batch(a):
    ms = manifest.load_manifests(a.kit)
    ms.get(a.lab)
    with _workspace(a) as ws:
        g = runner.Grader(a.kit, ms, ws, _options(a))
        if a.skip_verify_seeds:
            _skip_warning()
        elif not _run_verify(a, ms, ws, _options(a), os.path.join(a.out, ".verify-seeds")):
            print(f"grade: batch not started: the reference fails seeds of lab {a.lab} (above)", file=sys.stderr)
            return 1

        def one(student, path, tmp):
            return g.grade(a.lab, path, student, tmp)

        try:
            graded, already, errors = batch.run_batch(one, a.lab, ms.max_points(a.lab), a.submissions, a.out, a.force)
        finally:
            if a.shutdown:
                g.bazel.shutdown()
    print(f"graded {graded}, already graded {already}, grader errors {errors}; {os.path.join(a.out, batch.CSV_NAME)}")
    return 1 if errors else 0


def cmd_gradescope(a):
    """Gradescope: the submission's files are in /autograder/submission; results.json must
    be written whatever happens (a missing file shows the student an opaque error)."""
    start = time.time()
    os.makedirs(a.out, exist_ok=True)
    try:
        with _workspace(a) as ws:
            g = _grader(a, ws)
            result = g.grade(a.lab, a.submission, "submission", a.out)
        report.write_reports(result, a.out, a.hidden_visibility)
        payload = report.gradescope_json(result, a.hidden_visibility)
        print(report.text_report(result))
    except Exception as e:  # the student must still see something
        import traceback

        traceback.print_exc()
        payload = {
            "score": 0,
            "output": f"The autograder failed ({type(e).__name__}: {e}). Please tell the course staff.",
            "execution_time": int(time.time() - start),
        }
    from grader import util

    util.atomic_write_json(a.results, payload)
    return 0


def main(argv=None):
    a = parser().parse_args(argv)
    try:
        return {
            "grade": cmd_grade,
            "batch": cmd_batch,
            "labs": cmd_labs,
            "gradescope": cmd_gradescope,
            "gradescope-package": cmd_gradescope_package,
            "verify-seeds": cmd_verify_seeds,
        }[a.command](a)
    except (manifest.ManifestError, runner.GraderError, workspace.WorkspaceBusy, release.ReleaseError) as e:
        print(f"grade: {e}", file=sys.stderr)
        return 1
