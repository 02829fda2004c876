"""Cuts the student release: the kit minus everything only instructors may see, as a new git
repository with a single commit (no history that ever held a solution).

    scripts/release.sh DEST            cut the release into DEST (a new folder)
    scripts/release.sh DEST --verify   ... and prove it: its history is one commit naming no
                                       instructor-only file, it builds, every public suite runs and
                                       fails on the stubs (cleanly: no crash, no hang, no
                                       build error), and passes once the reference files are
                                       laid over it.

What is left out: reference/ (the solutions), grader/hidden/ (the hidden suites),
grader/selftest/ (the self-test's planted bugs are patches of the reference) and the
self-test script. The release is made from the kit's HEAD commit, not its working tree, so
an uncommitted experiment never ships.
"""

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

if __package__ in (None, ""):  # run as a script: make `grader` importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from grader import manifest, release_readme, workspace  # noqa: E402

INSTRUCTOR_ONLY = (
    "reference/",
    "grader/hidden/",
    "grader/selftest/",
    "scripts/grader_selftest.sh",
    "scratch/",
)
AUTHOR = ("TinyKV course staff", "staff@tinykv.invalid")
KIT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class ReleaseError(Exception):
    pass


def is_instructor_only(rel):
    return rel.startswith(INSTRUCTOR_ONLY) or rel in INSTRUCTOR_ONLY or rel.startswith("bazel-")


def _run(args, cwd, **kw):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, **kw)


def kit_snapshot(kit, dest):
    """Copies the kit's committed files (HEAD) into dest; without git, its files on disk.
    Returns notes for the user (e.g. uncommitted changes left out)."""
    notes = []
    if os.path.exists(os.path.join(kit, ".git")):
        status = _run(["git", "status", "--porcelain"], kit)
        if status.stdout.strip():
            notes.append(
                f"{len(status.stdout.strip().splitlines())} uncommitted change(s) in {kit} are not in the release "
                "(it is cut from the HEAD commit)"
            )
        archive = os.path.join(dest, ".kit.tar")
        with open(archive, "wb") as f:
            r = subprocess.run(["git", "archive", "--format=tar", "HEAD"], cwd=kit, stdout=f, stderr=subprocess.PIPE)
        if r.returncode != 0:
            raise ReleaseError("git archive HEAD failed: " + r.stderr.decode(errors="replace"))
        r = _run(["tar", "-xf", archive], dest)
        os.unlink(archive)
        if r.returncode != 0:
            raise ReleaseError("unpacking the kit failed: " + r.stderr)
    else:
        for rel, src in workspace.kit_files(kit).items():
            out = os.path.join(dest, rel)
            os.makedirs(os.path.dirname(out), exist_ok=True)
            shutil.copy2(src, out)
    return notes


def _files(root):
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        for name in filenames:
            out.append(os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/"))
    return sorted(out)


def _digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def leaks(release, kit):
    """Files of the release that give a solution away: any path that is instructor-only, and
    any file whose content is a reference file that differs from its stub (a solution copied
    elsewhere)."""
    found = []
    files = _files(release)
    for rel in files:
        if is_instructor_only(rel):
            found.append(f"{rel}: instructor-only path")
    ref_root = os.path.join(kit, "reference")
    secrets = {}
    if os.path.isdir(ref_root):
        for rel in _files(ref_root):
            stub = os.path.join(kit, rel)
            d = _digest(os.path.join(ref_root, rel))
            if os.path.exists(stub) and _digest(stub) == d:
                continue  # identical to the stub (a header with no private parts): not a secret
            if os.path.getsize(os.path.join(ref_root, rel)) >= 64:
                secrets[d] = "reference/" + rel
    for rel in files:
        d = _digest(os.path.join(release, rel))
        if d in secrets:
            found.append(f"{rel}: same content as {secrets[d]}")
    return found


def cut(kit, dest, message="TinyKV C++ lab kit", author=AUTHOR):
    """Writes the release into `dest` (must not exist or be empty); returns notes."""
    kit = os.path.abspath(kit)
    dest = os.path.abspath(dest)
    if os.path.exists(dest) and os.listdir(dest):
        raise ReleaseError(f"{dest} exists and is not empty")
    if dest == kit or dest.startswith(kit + os.sep):
        raise ReleaseError("the release must be cut outside the kit")
    stage = tempfile.mkdtemp(prefix="tinykv-release-")
    try:
        notes = kit_snapshot(kit, stage)
        dropped = []
        for rel in _files(stage):
            if is_instructor_only(rel):
                os.unlink(os.path.join(stage, rel))
                dropped.append(rel)
        for dirpath, dirnames, filenames in os.walk(stage, topdown=False):
            if dirpath != stage and not os.listdir(dirpath):
                os.rmdir(dirpath)
        # The kit's README is the instructor's; the release gets its own, from the manifests.
        release_readme.write(stage)
        notes.append("README.md: the student's own, generated from the lab manifests and " + release_readme.TEMPLATE)
        for twin in release_readme.drop_stale_twins(stage):
            notes.append(f"{twin}: left out (the translation of the instructor's README, which the release replaces)")
        found = leaks(stage, kit)
        if found:
            raise ReleaseError("the release would leak solutions:\n  " + "\n  ".join(found))
        os.makedirs(os.path.dirname(dest) or ".", exist_ok=True)
        if os.path.exists(dest):
            os.rmdir(dest)
        shutil.move(stage, dest)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    env = dict(os.environ)
    env.update({
        "GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1],
        "GIT_COMMITTER_NAME": author[0], "GIT_COMMITTER_EMAIL": author[1],
    })
    for args in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-q", "-m", message]):
        r = _run(args, dest, env=env)
        if r.returncode != 0:
            raise ReleaseError(f"{' '.join(args)} failed: {r.stderr}")
    notes.append(f"left out {len(dropped)} instructor-only file(s): " + _summarize(dropped))
    return notes


def _summarize(paths):
    tops = {}
    for p in paths:
        key = next((prefix for prefix in INSTRUCTOR_ONLY if p.startswith(prefix) or p == prefix), p)
        tops[key] = tops.get(key, 0) + 1
    return ", ".join(f"{k} ({n})" for k, n in sorted(tops.items()))


def history_leaks(release):
    """What the release's git history gives away: it must be one commit (nothing an earlier
    commit held can be dug out) naming no instructor-only path."""
    problems = []
    if not os.path.isdir(os.path.join(release, ".git")):
        return ["the release is not a git repository"]
    r = _run(["git", "rev-list", "--all", "--count"], release)
    if r.returncode != 0 or r.stdout.strip() != "1":
        problems.append(f"the release's history should be one commit, found {r.stdout.strip() or r.stderr.strip()}")
    r = _run(["git", "log", "--all", "--name-only", "--format="], release)
    held = sorted({p for p in r.stdout.splitlines() if p and is_instructor_only(p)})
    if held:
        problems.append("the release's history holds instructor-only files: " + ", ".join(held[:10]))
    return problems


def verify(release, kit, test_timeout=60, log=print):
    """Builds the release and runs its public suites on the stubs and on the reference.
    Returns a list of problems (empty: the release is good)."""
    from grader import runner

    problems = history_leaks(release)
    for rel in leaks(release, kit):
        problems.append("the release's files: " + rel)
    log("verify: bazel build //... in the release")
    r = subprocess.run(
        ["bazel", "build", f"--disk_cache={runner.DEFAULT_DISK_CACHE}", "//..."],
        cwd=release, capture_output=True, text=True, timeout=3600,
    )
    if r.returncode != 0:
        problems.append("the release does not build:\n" + runner.compiler_errors(r.stdout + r.stderr))
    subprocess.run(["bazel", "shutdown"], cwd=release, capture_output=True, timeout=300)
    ms = manifest.load_manifests(release)
    opts = runner.Options(public_only=True, test_timeout=test_timeout)
    with workspace.Workspace() as ws:
        g = runner.Grader(release, ms, ws, opts)
        seen = set()
        for lab in ms.names():
            targets = {t.target for t in ms.tests(lab) if not t.hidden}
            if targets <= seen:
                continue  # e.g. 2a = 2aa + 2ab + 2ac, already verified one by one
            seen |= targets
            with tempfile.TemporaryDirectory() as out:
                stubs = g.grade(lab, release, "stubs", out)
            with tempfile.TemporaryDirectory() as out:
                ref = g.grade(lab, os.path.join(kit, "reference"), "reference", out)
            log(f"verify: lab {lab}: stubs {stubs['score']:g} / {stubs['max_score']:g}, "
                f"reference {ref['score']:g} / {ref['max_score']:g}")
            for t in stubs["targets"]:
                if t["status"] == "skipped":
                    continue
                if t["status"] in ("build_failed", "missing"):
                    problems.append(f"lab {lab}: {t['target']} on the stubs: {t['status']}: {t['message']}")
                for c in t.get("cases", []):
                    for f in c["failures"]:
                        if f["kind"] in ("crashed", "timeout", "not_run", "exit"):
                            problems.append(f"lab {lab}: {t['target']} {c['name']} on the stubs: {f['kind']} (stubs must fail cleanly)")
                if t["status"] == "passed":
                    problems.append(f"lab {lab}: {t['target']} passes on the stubs")
            for t in ref["targets"]:
                if t["status"] not in ("passed", "skipped"):
                    problems.append(f"lab {lab}: {t['target']} does not pass with the reference: {t['status']} {t['message']}")
    return problems


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dest", help="a new folder for the release")
    ap.add_argument("--kit", default=KIT_ROOT)
    ap.add_argument("--verify", action="store_true", help="build it and run its public suites (minutes)")
    ap.add_argument("--message", default="TinyKV C++ lab kit")
    ap.add_argument("--test-timeout", type=int, default=60)
    a = ap.parse_args(argv)
    if not os.path.isdir(os.path.join(a.kit, "reference")):
        print(f"release: {a.kit} has no reference/: it is already a student release. Cutting a release is "
              "the instructor's job, from the full kit (see docs/instructor.md).", file=sys.stderr)
        return 2
    try:
        for note in cut(a.kit, a.dest, a.message):
            print("release:", note)
        print(f"release: cut into {a.dest} (one commit)")
        if a.verify:
            problems = verify(a.dest, a.kit, a.test_timeout, log=lambda m: print(m, flush=True))
            if problems:
                print("release: verification FAILED:")
                for p in problems:
                    print("  " + p)
                return 1
            print("release: verified: it builds, its public suites fail on the stubs only, and pass on the reference")
    except (ReleaseError, manifest.ManifestError, release_readme.ReadmeError) as e:
        print(f"release: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
