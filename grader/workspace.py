"""The scratch workspace: a pristine copy of the kit with a submission's student files laid
over it.

The kit is small (sources only), so every submission gets a fresh copy: nothing one
submission's build or tests did can reach the next. The workspace *path* stays the same from
one submission to the next, so Bazel keeps one server and one output base for it and rebuilds
only what the student files change; compiled framework code comes from the shared
--disk_cache. A lock file keeps two graders out of the same workspace: a second grader takes
the next free slot.
"""

import fcntl
import os
import shutil
import subprocess

# Never copied into the scratch workspace: VCS data, Bazel's output links, and the reference
# solutions (the student build never needs them, and graded code should not find them there).
EXCLUDED_PREFIXES = (".git/", "scratch/", "reference/", "grader/selftest/")
DEFAULT_ROOT = os.path.join(os.path.expanduser("~"), ".cache", "tinykv-grader")


def kit_files(kit_root):
    """The kit's files (relative, '/'-separated) -> absolute paths: what git tracks plus new
    files it does not ignore (a hidden test not yet committed still counts); without git,
    every regular file except Bazel's output links."""
    rels = None
    if os.path.exists(os.path.join(kit_root, ".git")):
        try:
            r = subprocess.run(
                ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                cwd=kit_root,
                capture_output=True,
                timeout=60,
                check=True,
            )
            rels = [p for p in r.stdout.decode().split("\0") if p]
        except (OSError, subprocess.SubprocessError):
            rels = None
    if rels is None:
        rels = []
        for dirpath, dirnames, filenames in os.walk(kit_root):
            dirnames[:] = [d for d in dirnames if d != ".git" and not d.startswith("bazel-")]
            for name in filenames:
                rels.append(os.path.relpath(os.path.join(dirpath, name), kit_root).replace(os.sep, "/"))
    out = {}
    for rel in sorted(set(rels)):
        full = os.path.join(kit_root, rel)
        if rel.startswith("bazel-") or os.path.islink(full) or not os.path.isfile(full):
            continue  # deleted but still in the index, or a link
        out[rel] = full
    return out


class WorkspaceBusy(Exception):
    pass


class Workspace:
    """A locked scratch directory. Use as a context manager."""

    def __init__(self, root=DEFAULT_ROOT, slots=8, path=None):
        self.root = root
        self.slots = slots
        self.fixed_path = path
        self.path = None
        self._lock = None

    def __enter__(self):
        os.makedirs(self.root, exist_ok=True)
        candidates = [self.fixed_path] if self.fixed_path else [os.path.join(self.root, f"ws-{i}") for i in range(self.slots)]
        for path in candidates:
            lock = open(path.rstrip("/") + ".lock", "w")
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                lock.close()
                continue
            self.path, self._lock = os.path.abspath(path), lock
            os.makedirs(self.path, exist_ok=True)
            return self
        raise WorkspaceBusy(f"every scratch workspace under {self.root} is in use by another grader")

    def __exit__(self, *exc):
        if self._lock:
            self._lock.close()
            self._lock = None

    def reset(self, files, exclude=EXCLUDED_PREFIXES):
        """Empties the workspace and copies the kit's `files` (rel -> abs path) into it, minus
        those under the `exclude` prefixes."""
        for name in os.listdir(self.path):
            full = os.path.join(self.path, name)
            if os.path.islink(full) or not os.path.isdir(full):
                os.unlink(full)
            else:
                shutil.rmtree(full)
        for rel, src in files.items():
            if rel.startswith(tuple(exclude)):
                continue
            dst = os.path.join(self.path, rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copyfile(src, dst)  # a copy, never a link: nothing here may reach the kit
            shutil.copymode(src, dst)

    def overlay(self, files):
        """Writes the submission's student files (rel -> bytes) over the pristine copy."""
        for rel, data in files.items():
            dst = os.path.join(self.path, rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            if os.path.lexists(dst):
                os.unlink(dst)
            with open(dst, "wb") as f:
                f.write(data)
