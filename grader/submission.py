"""Takes a student's submission apart: only the lab's student files are kept; everything else
the student changed is listed (and ignored).

A submission is a directory, a tar or zip archive, or a git repository (a directory with
.git, a bare repository, a bundle, or a URL git can clone). Archives often wrap the kit in
a top-level folder, and Gradescope uploads may hold just the files, flat; the kit root is
found by looking for the student files' relative paths.
"""

import hashlib
import os
import shutil
import subprocess
import tarfile
import tempfile
import zipfile

MAX_STUDENT_FILE = 4 * 1024 * 1024  # a student source file larger than this is refused
MAX_ARCHIVE_BYTES = 512 * 1024 * 1024  # unpacked size of an archive
MAX_ARCHIVE_MEMBERS = 100_000
MAX_WALK_FILES = 50_000
MAX_LISTED = 200
ROOT_SEARCH_DEPTH = 4
MAX_PATH_DEPTH = 32  # folders in one archive member's path (the kit's deepest file has 6)
MAX_PATH_BYTES = 1024  # one member's path (Linux allows 4096; nothing in the kit comes close)

# Never compared or listed: build output, VCS data, editor droppings.
SKIP_DIRS = {".git", ".hg", ".svn", "__pycache__", ".cache", ".idea", ".vscode", "node_modules"}
SKIP_FILES = {".DS_Store", "Thumbs.db"}

ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".zip")


class SubmissionError(Exception):
    """The submission cannot be read at all (scored 0, with this message in the report)."""


class Submission:
    def __init__(self, source):
        self.source = source
        self.kind = ""  # directory, archive, git
        self.root = None  # the directory the kit's relative paths start from
        self.files = {}  # student file -> bytes
        self.missing = []  # student files not in the submission (the stub is graded)
        self.refused = []  # (path, why)
        self.ignored = []  # (change, path): files outside the student list that differ
        self.ignored_total = 0
        self.skipped = []  # (archive member, why it was not unpacked)
        self.ambiguous = set()  # member paths that occur more than once in the archive
        self.notes = []
        self._tmp = None
        self._top = None  # the directory the submission was read from

    def cleanup(self):
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def summary(self):
        return {
            "source": self.source,
            "kind": self.kind,
            "files_taken": sorted(self.files),
            "missing": self.missing,
            "refused": [{"path": p, "why": w} for p, w in self.refused],
            "ignored_changes": [{"change": c, "path": p} for c, p in self.ignored],
            "ignored_total": self.ignored_total,
            "unpack_skipped": [{"path": p, "why": w} for p, w in self.skipped[:MAX_LISTED]],
            "notes": self.notes,
        }


def is_archive(path):
    return os.path.isfile(path) and path.lower().endswith(ARCHIVE_SUFFIXES)


def _is_git_source(path):
    if os.path.isdir(path):
        return os.path.exists(os.path.join(path, ".git")) or (
            os.path.isfile(os.path.join(path, "HEAD")) and os.path.isdir(os.path.join(path, "objects"))
        )
    if os.path.isfile(path):
        return path.endswith(".bundle")
    return "://" in path or path.startswith("git@")


def load(source, student_files, pristine, git_rev=None, worktree=False):
    """Reads `source`; `student_files` are the lab's relative paths; `pristine` maps the kit's
    relative paths to absolute paths (to list what else the student changed)."""
    sub = Submission(source)
    try:
        root = _materialize(sub, source, git_rev, worktree)
        sub._top = root
        sub.root = _find_root(root, student_files)
        if sub.root is None:
            _flat_files(sub, root, student_files)
        else:
            if sub.root != root:
                sub.notes.append(f"kit found in {os.path.relpath(sub.root, root)}/ of the submission")
            for rel in student_files:
                _take(sub, rel, os.path.join(sub.root, rel))
            _list_other_changes(sub, student_files, pristine)
    except SubmissionError:
        sub.cleanup()
        raise
    if not sub.files:
        sub.cleanup()
        raise SubmissionError(
            "none of the lab's student files is in the submission: " + ", ".join(student_files)
        )
    return sub


def _materialize(sub, source, git_rev, worktree):
    """A directory holding the submission's files (unpacked into a temporary one if needed)."""
    if _is_git_source(source) and not (worktree and os.path.isdir(source)):
        sub.kind = "git"
        sub._tmp = tempfile.mkdtemp(prefix="tinykv-sub-")
        return _git_export(sub, source, git_rev or "HEAD", sub._tmp)
    if os.path.isdir(source):
        sub.kind = "directory"
        return os.path.abspath(source)
    if is_archive(source):
        sub.kind = "archive"
        sub._tmp = tempfile.mkdtemp(prefix="tinykv-sub-")
        _unpack(source, sub._tmp, sub)
        return sub._tmp
    if not os.path.exists(source):
        raise SubmissionError(f"{source}: no such file or directory")
    raise SubmissionError(f"{source}: not a directory, a .tar/.tar.gz/.zip archive or a git repository")


def _git(args, cwd=None, timeout=300):
    try:
        return subprocess.run(["git"] + args, cwd=cwd, capture_output=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise SubmissionError(f"git {' '.join(args[:2])} failed: {e}") from None


def _git_export(sub, source, rev, dest):
    repo = source
    if not os.path.isdir(source):  # a bundle or a URL: clone it first
        clone = os.path.join(dest, "clone")
        r = _git(["clone", "--quiet", "--no-checkout", source, clone])
        if r.returncode != 0:
            raise SubmissionError(f"git clone {source} failed: {r.stderr.decode(errors='replace').strip()}")
        repo = clone
    r = _git(["rev-parse", "--verify", rev + "^{commit}"], cwd=repo)
    if r.returncode != 0:
        raise SubmissionError(f"{source}: no commit {rev!r} (an empty repository?)")
    commit = r.stdout.decode().strip()
    sub.notes.append(f"graded commit {commit[:12]} ({rev}) of the git repository")
    if os.path.isdir(os.path.join(source, ".git")):
        status = _git(["status", "--porcelain", "--untracked-files=no"], cwd=source)
        dirty = [line for line in status.stdout.decode(errors="replace").splitlines() if line.strip()]
        if dirty:
            sub.notes.append(
                f"{len(dirty)} uncommitted change(s) in the working tree were not graded (use --worktree to grade them)"
            )
    out = os.path.join(dest, "tree")
    os.makedirs(out)
    archive = os.path.join(dest, "tree.tar")
    with open(archive, "wb") as f:
        try:
            r = subprocess.run(["git", "archive", "--format=tar", commit], cwd=repo, stdout=f, stderr=subprocess.PIPE, timeout=300)
        except subprocess.TimeoutExpired:
            raise SubmissionError("git archive timed out") from None
    if r.returncode != 0:
        raise SubmissionError(f"git archive failed: {r.stderr.decode(errors='replace').strip()}")
    _unpack(archive, out, sub)
    return out


def _member_problem(name):
    """(normalized relative path, None) for an archive member's name, or (None, why) when it
    must not be unpacked: absolute, leaving the archive, too deep or too long, or not UTF-8."""
    if "\0" in name:
        return None, "the name holds a NUL byte"
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return None, "the name is not valid UTF-8"
    name = name.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None, "an absolute path"
    norm = os.path.normpath(name)
    if norm == "." or norm == ".." or norm.startswith("../") or os.path.isabs(norm):
        return None, "the path leaves the archive (..)"
    if any(part == ".." for part in name.split("/")):
        return None, "the path goes through .."
    if norm.count("/") >= MAX_PATH_DEPTH:
        return None, f"nested more than {MAX_PATH_DEPTH} folders deep"
    if len(norm.encode("utf-8")) > MAX_PATH_BYTES:
        return None, f"a path longer than {MAX_PATH_BYTES} bytes"
    return norm, None


def _safe_member(name):
    """The normalized relative path of an archive member, or None if it must not be unpacked."""
    return _member_problem(name)[0]


class _Unpacker:
    """Writes an archive's regular files under `dest`, and only there: every member that is
    not a plain file at a safe relative path is skipped with the reason (kept in the
    submission's report); counts and sizes are bounded; a name that occurs twice is marked
    ambiguous (the student file of that name is refused, not picked at random)."""

    def __init__(self, dest, sub):
        self.dest = os.path.realpath(dest)
        self.sub = sub
        self.total = 0
        self.count = 0
        self.seen = set()

    def skip(self, name, why):
        self.sub.skipped.append((name.encode("utf-8", "backslashreplace").decode("utf-8"), why))

    def member(self, name, kind, declared):
        """The path to write a member to, or None (skipped, with its reason noted)."""
        self.count += 1
        if self.count > MAX_ARCHIVE_MEMBERS:
            raise SubmissionError(f"archive has more than {MAX_ARCHIVE_MEMBERS} entries")
        rel, why = _member_problem(name)
        if rel is None:
            self.skip(name, why)
            return None
        if kind == "dir":
            return None
        if kind != "file":
            self.skip(name, f"a {kind}, not a regular file")
            return None
        if rel in self.seen:
            self.sub.ambiguous.add(rel)
            self.skip(name, "the archive holds this path more than once")
            return None
        self.seen.add(rel)
        self.total += declared
        if self.total > MAX_ARCHIVE_BYTES:
            raise SubmissionError(f"archive unpacks to more than {MAX_ARCHIVE_BYTES >> 20} MiB")
        path = os.path.join(self.dest, rel)
        parent = os.path.realpath(os.path.dirname(path))
        if parent != self.dest and not parent.startswith(self.dest + os.sep):
            self.skip(name, "the path leaves the archive")  # unreachable: no links are unpacked
            return None
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
        except OSError:  # a file already holds one of the folders' names
            self.skip(name, "a file and a folder of the same name")
            return None
        if os.path.lexists(path):
            self.skip(name, "a file and a folder of the same name")
            return None
        return path


def _tar_kind(member):
    if member.isfile():
        return "file"
    if member.isdir():
        return "dir"
    if member.issym():
        return "symbolic link"
    if member.islnk():
        return "hard link"
    return "device, fifo or other special file"


def _zip_kind(info):
    if info.is_dir():
        return "dir"
    mode = (info.external_attr >> 16) & 0o170000
    if mode == 0o120000:
        return "symbolic link"
    if mode not in (0, 0o100000):
        return "device, fifo or other special file"
    return "file"


def _unpack(archive, dest, sub=None):
    """Unpacks regular files and directories only (no links, devices, absolute or ../ paths),
    within size and count limits; what was skipped, and why, goes to `sub.skipped`."""
    u = _Unpacker(dest, sub if sub is not None else Submission(archive))
    try:
        if archive.lower().endswith(".zip"):
            with zipfile.ZipFile(archive) as z:
                for info in z.infolist():
                    path = u.member(info.filename, _zip_kind(info), info.file_size)
                    if path is None:
                        continue
                    with z.open(info) as src, open(path, "wb") as out:
                        _copy_limited(src, out, info.file_size)
        else:
            with tarfile.open(archive) as t:
                for member in t:
                    path = u.member(member.name, _tar_kind(member), member.size)
                    if path is None:
                        continue
                    src = t.extractfile(member)
                    if src is None:
                        continue
                    with src, open(path, "wb") as out:
                        _copy_limited(src, out, member.size)
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError, ValueError, RuntimeError) as e:
        raise SubmissionError(f"cannot unpack {os.path.basename(archive)}: {e}") from None
    if u.sub.skipped:
        shown = "; ".join(f"{p}: {w}" for p, w in u.sub.skipped[:5])
        more = f" (and {len(u.sub.skipped) - 5} more)" if len(u.sub.skipped) > 5 else ""
        u.sub.notes.append(f"{len(u.sub.skipped)} archive entries not unpacked: {shown}{more}")


def _copy_limited(src, out, declared):
    remaining = declared
    while remaining > 0:
        chunk = src.read(min(1 << 20, remaining))
        if not chunk:
            break
        out.write(chunk)
        remaining -= len(chunk)


def _walk(root, max_depth=None):
    """Relative paths of the regular files under root (symlinks are not followed)."""
    out = []
    base_depth = root.rstrip(os.sep).count(os.sep)
    for dirpath, dirnames, filenames in os.walk(root):
        depth = dirpath.count(os.sep) - base_depth
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("bazel-"))
        if max_depth is not None and depth >= max_depth:
            dirnames[:] = []
        for name in sorted(filenames):
            if name in SKIP_FILES or name.startswith("bazel-"):
                continue
            full = os.path.join(dirpath, name)
            if os.path.islink(full) or not os.path.isfile(full):
                continue
            out.append(os.path.relpath(full, root))
            if len(out) >= MAX_WALK_FILES:
                return out
    return out


def _find_root(top, student_files):
    """The directory (top or below it, shallowest first) holding the most student files at
    their relative paths; None if no directory holds any."""
    best, best_count = None, 0
    base_depth = top.rstrip(os.sep).count(os.sep)
    for dirpath, dirnames, _ in os.walk(top):
        depth = dirpath.count(os.sep) - base_depth
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("bazel-"))
        if depth >= ROOT_SEARCH_DEPTH:
            dirnames[:] = []
        count = sum(1 for rel in student_files if os.path.lexists(os.path.join(dirpath, rel)))
        if count > best_count:
            best, best_count = dirpath, count
    return best


def _flat_files(sub, top, student_files):
    """Gradescope-style uploads: the files themselves, without their folders. A student file
    is matched by its base name when that name is unique among the lab's files and the
    submission holds exactly one file of that name."""
    names = {}
    for rel in student_files:
        names.setdefault(os.path.basename(rel), []).append(rel)
    found = {}
    for rel in _walk(top, ROOT_SEARCH_DEPTH):
        found.setdefault(os.path.basename(rel), []).append(rel)
    for rel in student_files:
        base = os.path.basename(rel)
        if len(names[base]) != 1:
            sub.missing.append(rel)
            continue
        hits = found.get(base, [])
        if len(hits) == 1:
            _take(sub, rel, os.path.join(top, hits[0]))
        elif len(hits) > 1:
            sub.refused.append((rel, f"{len(hits)} files named {base}: {', '.join(hits[:5])}"))
        else:
            sub.missing.append(rel)
    if sub.files:
        sub.notes.append("no kit folder structure found: student files were matched by file name")


def _take(sub, rel, path):
    if not os.path.lexists(path):
        sub.missing.append(rel)
        return
    if sub._top is not None and os.path.relpath(path, sub._top).replace(os.sep, "/") in sub.ambiguous:
        sub.refused.append((rel, "occurs more than once in the archive; submit one copy"))
        return
    if os.path.islink(path):
        sub.refused.append((rel, "is a symbolic link; submit the file itself"))
        return
    if not os.path.isfile(path):
        sub.refused.append((rel, "is not a regular file"))
        return
    top = os.path.realpath(sub.root if sub.root is not None else sub._top or os.path.dirname(path))
    if not os.path.realpath(path).startswith(top + os.sep):
        sub.refused.append((rel, "lies behind a symbolic link to outside the submission; submit the file itself"))
        return
    size = os.path.getsize(path)
    if size > MAX_STUDENT_FILE:
        sub.refused.append((rel, f"is {size} bytes, more than the {MAX_STUDENT_FILE} allowed"))
        return
    with open(path, "rb") as f:
        sub.files[rel] = f.read()


def _digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.digest()


def _list_other_changes(sub, student_files, pristine):
    """Files of the submission, outside the student list, that are not the kit's: added ones
    and modified ones. They are not graded; the report lists them."""
    student = set(student_files)
    changes = []
    for rel in _walk(sub.root, MAX_PATH_DEPTH):
        # A name that is not UTF-8 is listed with its bytes escaped (reports are UTF-8 text).
        rel_posix = rel.replace(os.sep, "/").encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        if rel_posix in student:
            continue
        kit_path = pristine.get(rel_posix)
        full = os.path.join(sub.root, rel)
        if kit_path is None:
            changes.append(("added", rel_posix))
        else:
            try:
                same = os.path.getsize(full) == os.path.getsize(kit_path) and _digest(full) == _digest(kit_path)
            except OSError:
                same = False
            if not same:
                changes.append(("modified", rel_posix))
    sub.ignored_total = len(changes)
    sub.ignored = changes[:MAX_LISTED]
