"""Runs one graded test binary in a bubblewrap sandbox that shows it only what it needs.

The grader passes `--run_under="python3 <this file> [limits] --"` to `bazel test`, so Bazel's
test runner calls this file with the test binary (and its arguments) after it; everything the
test needs is in its environment (TEST_SRCDIR, TEST_TMPDIR, XML_OUTPUT_FILE, ...).

Outside (`run`): builds a `bwrap` command line. The sandbox has an empty root holding
  - /usr (and the /bin, /lib, /lib64, /sbin links) and a few files of /etc, read-only;
  - the test's runfiles tree and, file by file, what its links point to (the binary, its shared
    libraries, its data), read-only at their own paths, and nothing else of the scratch
    workspace, of Bazel's output base, of the kit or of any other submission;
  - a private /tmp, a tmpfs of a fixed size, where TEST_TMPDIR, HOME and the test's outputs
    (its test.xml, undeclared outputs) live while it runs;
  - its own network namespace (a loopback only), PID, IPC and UTS namespaces, /proc and /dev.
Inside (`inner`): runs the test as an unprivileged user under resource limits (CPU time,
address space, processes, file size, open files), then kills whatever it left behind and
copies its outputs (regular files only, within a size cap) back to where Bazel looks for them.

When this grader runs as root, the test runs under a user id of its own (nothing else runs as
that id, so the process limit is the test's alone and it can write nowhere but the tmpfs).
Otherwise bwrap makes a user namespace and the test keeps the grader's user id inside it.
"""

import argparse
import functools
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys

BWRAP = "bwrap"
INNER_SCRIPT = "/.tinykv-sandbox.py"  # where this file is visible inside the sandbox
OUT_MOUNT = "/.tinykv-out"  # the real output paths, for the copy back (root's only)
SANDBOX_TMP = "/tmp"
# Files of the test's own outputs: Bazel reads them after the run (XML, premature-exit marker...).
OUTPUT_FILES = (
    "XML_OUTPUT_FILE",
    "TEST_PREMATURE_EXIT_FILE",
    "TEST_WARNINGS_OUTPUT_FILE",
    "TEST_INFRASTRUCTURE_FAILURE_FILE",
    "TEST_UNUSED_RUNFILES_LOG_FILE",
    "TEST_SHARD_STATUS_FILE",
)
OUTPUT_DIRS = ("TEST_UNDECLARED_OUTPUTS_DIR", "TEST_UNDECLARED_OUTPUTS_ANNOTATIONS_DIR")
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "passwd", "group", "nsswitch.conf")
UID_BASE = 1_500_000  # user ids of sandboxed tests when the grader is root (no account uses them)
UID_SPAN = 1_000_000


class Limits:
    """What one test binary may consume (the defaults: generous for the reference's heaviest
    suite, a 5-store raftstore cluster on RocksDB, and small against a machine)."""

    def __init__(self, cpu_factor=2.0, memory_mb=8192, processes=512, file_mb=64, tmp_mb=1024, open_files=4096):
        self.cpu_factor = cpu_factor  # CPU seconds = factor x the test's time limit (+30)
        self.memory_mb = memory_mb  # address space
        self.processes = processes  # processes and threads
        self.file_mb = file_mb  # largest file it may write (its output log included)
        self.tmp_mb = tmp_mb  # the private /tmp: everything it may write, together
        self.open_files = open_files

    def args(self):
        return [
            f"--cpu-factor={self.cpu_factor}",
            f"--memory-mb={self.memory_mb}",
            f"--processes={self.processes}",
            f"--file-mb={self.file_mb}",
            f"--tmp-mb={self.tmp_mb}",
            f"--open-files={self.open_files}",
        ]

    def describe(self):
        return (
            f"CPU {self.cpu_factor:g} x the time limit, {self.memory_mb} MiB of address space, "
            f"{self.processes} processes/threads, {self.file_mb} MiB per file (output included), "
            f"{self.tmp_mb} MiB of /tmp, {self.open_files} open files"
        )


def _parser():
    ap = argparse.ArgumentParser(prog="sandbox.py")
    ap.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--uid", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--cpu-factor", type=float, default=Limits().cpu_factor)
    ap.add_argument("--memory-mb", type=int, default=Limits().memory_mb)
    ap.add_argument("--processes", type=int, default=Limits().processes)
    ap.add_argument("--file-mb", type=int, default=Limits().file_mb)
    ap.add_argument("--tmp-mb", type=int, default=Limits().tmp_mb)
    ap.add_argument("--open-files", type=int, default=Limits().open_files)
    ap.add_argument("--bwrap", default=BWRAP)
    ap.add_argument("command", nargs=argparse.REMAINDER)
    return ap


# -- outside: the bwrap command line ------------------------------------------------------


def _closure(runfiles):
    """The real paths the runfiles tree's links point to (files and, for a linked directory,
    the directory), resolved through any chain of links."""
    out = set()
    for dirpath, dirnames, filenames in os.walk(runfiles):
        for name in filenames + dirnames:
            path = os.path.join(dirpath, name)
            # Every path along the chain of links (the binary's $ORIGIN is its real path, and
            # its RUNPATH goes through Bazel's _solib links next to it), each showing the file.
            for _ in range(40):
                if not os.path.islink(path):
                    break
                path = os.path.normpath(os.path.join(os.path.dirname(path), os.readlink(path)))
                if os.path.exists(path) and not path.startswith(runfiles + os.sep):
                    out.add(path)
    # A linked directory covers what lies under it.
    dirs = sorted(p for p in out if os.path.isdir(p))
    return sorted(p for p in out if not any(p != d and p.startswith(d + os.sep) for d in dirs))


def _unshare(root):
    """Every namespace; a user namespace only when not root (as root the test gets a user id
    of its own instead, which a user namespace mapping only root could not switch to)."""
    spaces = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
    return spaces if root else ["--unshare-user"] + spaces


def _system_mounts():
    args = ["--ro-bind", "/usr", "/usr"]
    for top in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = "/" + top
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    for name in ETC_FILES:
        args += ["--ro-bind-try", "/etc/" + name, "/etc/" + name]
    return args


def bwrap_command(env, command, limits, bwrap=BWRAP, cwd=None, script=None):
    """The argv that runs `command` (the test binary and its arguments) sandboxed."""
    cwd = cwd or os.getcwd()
    script = script or os.path.abspath(__file__)
    given = os.path.abspath(env.get("TEST_SRCDIR") or env.get("RUNFILES_DIR") or cwd)
    runfiles = os.path.realpath(given)
    root = os.geteuid() == 0
    args = [bwrap, "--die-with-parent", "--new-session"] + _unshare(root)
    args += ["--hostname", "sandbox"]
    args += _system_mounts()
    args += ["--proc", "/proc", "--dev", "/dev"]
    args += ["--perms", "1777", "--size", str(limits.tmp_mb << 20), "--tmpfs", SANDBOX_TMP]
    # The runfiles tree and what it links to, read-only at the same paths (the links stay valid).
    binds = ["--ro-bind", runfiles, runfiles]
    if given != runfiles:  # Bazel's sandbox links its runfiles to the real ones: both paths
        binds += ["--ro-bind", runfiles, given]
    for real in _closure(runfiles):
        binds += ["--ro-bind", real, real]
    # Bazel's own paths for the outputs, for the copy back after the run (see inner()).
    for i, var in enumerate(OUTPUT_FILES + OUTPUT_DIRS):
        target = env.get(var)
        if not target:
            continue
        parent = target if var in OUTPUT_DIRS else os.path.dirname(target)
        os.makedirs(parent, exist_ok=True)
        binds += ["--bind", parent, f"{OUT_MOUNT}/{i}"]
    binds += ["--ro-bind", script, INNER_SCRIPT]
    args += _parents(binds) + binds + ["--chdir", cwd]
    inner = [sys.executable if sys.executable.startswith("/usr/") else "/usr/bin/python3", INNER_SCRIPT, "--inner"]
    if root:
        inner.append(f"--uid={UID_BASE + os.getpid() % UID_SPAN}")
    inner += limits.args() + ["--"] + list(command)
    return args + ["--"] + inner


def _parents(binds):
    """Creates every bind's parent directories first, world-readable (bwrap would make them
    0700 under some umasks, and the test, under a user id of its own, could not pass them)."""
    dests = [binds[i + 2] for i in range(len(binds)) if binds[i] in ("--bind", "--ro-bind")]
    parents = set()
    for d in dests:
        p = os.path.dirname(d)
        while p not in ("/", "", SANDBOX_TMP) and not p.startswith(("/usr/", "/proc/", "/dev/")):
            parents.add(p)
            p = os.path.dirname(p)
    made = []
    for p in sorted(parents, key=lambda x: (x.count("/"), x)):
        made += ["--perms", "0755", "--dir", p]
    return made


def run(argv):
    a = _parser().parse_args(argv)
    command = a.command[1:] if a.command[:1] == ["--"] else a.command
    if not command:
        print("sandbox.py: no test command", file=sys.stderr)
        return 2
    limits = Limits(a.cpu_factor, a.memory_mb, a.processes, a.file_mb, a.tmp_mb, a.open_files)
    argv = bwrap_command(dict(os.environ), command, limits, a.bwrap)
    sys.stdout.flush()
    try:
        os.execvp(argv[0], argv)
    except OSError as e:
        print(f"sandbox.py: cannot run {argv[0]}: {e}", file=sys.stderr)
        return 127


# -- inside: limits, the test, the copy back ----------------------------------------------


def _set_limits(a, uid, test_timeout):
    def set_limit(kind, value):
        soft, hard = resource.getrlimit(kind)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(kind, (value, value))

    def child():
        os.setsid()
        cpu = int(test_timeout * a.cpu_factor) + 30
        set_limit(resource.RLIMIT_CPU, cpu)
        set_limit(resource.RLIMIT_AS, a.memory_mb << 20)
        set_limit(resource.RLIMIT_FSIZE, a.file_mb << 20)
        set_limit(resource.RLIMIT_NOFILE, a.open_files)
        set_limit(resource.RLIMIT_CORE, 0)
        if uid is not None:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
        # After the switch: the count is the new user's (or, in a user namespace, this one's).
        set_limit(resource.RLIMIT_NPROC, a.processes)
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)

    return child


def _copy_back(src, dst, budget):
    """Copies the regular files and directories under src into dst (never links, devices or
    fifos); stops at `budget` bytes. Returns the bytes left."""
    for dirpath, dirnames, filenames in os.walk(src):
        rel = os.path.relpath(dirpath, src)
        out_dir = os.path.normpath(os.path.join(dst, rel))
        os.makedirs(out_dir, exist_ok=True)
        dirnames[:] = [d for d in dirnames if not os.path.islink(os.path.join(dirpath, d))]
        for name in filenames:
            full = os.path.join(dirpath, name)
            st = os.lstat(full)
            if not stat.S_ISREG(st.st_mode) or st.st_size > budget:
                continue
            budget -= st.st_size
            shutil.copyfile(full, os.path.join(out_dir, name), follow_symlinks=False)
    return budget


def inner(argv):
    a = _parser().parse_args(argv)
    command = a.command[1:] if a.command[:1] == ["--"] else a.command
    env = dict(os.environ)
    uid = a.uid
    owner = uid if uid is not None else os.getuid()
    # Everything the test writes goes to the private /tmp; the real paths are at OUT_MOUNT/i.
    work = os.path.join(SANDBOX_TMP, ".test")
    moved = []
    for i, var in enumerate(OUTPUT_FILES + OUTPUT_DIRS):
        if not env.get(var):
            continue
        local = os.path.join(work, str(i))
        os.makedirs(local, exist_ok=True)
        os.chown(local, owner, owner)
        real = f"{OUT_MOUNT}/{i}"
        if var in OUTPUT_DIRS:
            env[var] = local
        else:
            env[var] = os.path.join(local, os.path.basename(env[var]))
        moved.append((var, local, real))
    for var, path in (("TEST_TMPDIR", "tmp"), ("HOME", "home")):
        d = os.path.join(SANDBOX_TMP, path)
        os.makedirs(d, exist_ok=True)
        os.chown(d, owner, owner)
        env[var] = d
    env["TMPDIR"] = env["TEST_TMPDIR"]
    env["GTEST_TMP_DIR"] = env["TEST_TMPDIR"]
    try:
        test_timeout = int(env.get("TEST_TIMEOUT", "300"))
    except ValueError:
        test_timeout = 300
    try:
        proc = subprocess.Popen(command, env=env, preexec_fn=_set_limits(a, uid, test_timeout))
    except OSError as e:
        print(f"sandbox: cannot start {command[0]}: {e}", file=sys.stderr)
        return 127
    rc = proc.wait()
    # Whatever the test left running (it may not outlive it: its files are copied next).
    try:
        os.kill(-1, signal.SIGKILL)
    except OSError:
        pass
    while True:
        try:
            os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
    budget = a.tmp_mb << 20
    for var, local, real in moved:
        try:
            budget = _copy_back(local, real, budget)
        except OSError as e:
            print(f"sandbox: copying the test's {var} back failed: {e}", file=sys.stderr)
    if rc < 0:
        sig = -rc
        if sig == signal.SIGXCPU:
            print(f"sandbox: killed: the test used its {int(test_timeout * a.cpu_factor) + 30} s of CPU time", file=sys.stderr)
        return 128 + sig
    return rc


# -- can this machine sandbox? ------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def check(bwrap=BWRAP):
    """(True, version) if bwrap can build the sandbox here, else (False, why). Asked once per
    process (a batch grades hundreds of submissions)."""
    if shutil.which(bwrap) is None:
        return False, f"{bwrap} is not installed (Debian package bubblewrap)"
    probe = [bwrap, "--die-with-parent"] + _unshare(os.geteuid() == 0)
    probe += _system_mounts() + ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--", "/bin/true"]
    try:
        r = subprocess.run(probe, capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, f"{bwrap} could not run: {e}"
    if r.returncode != 0:
        why = r.stderr.decode(errors="replace").strip().splitlines()
        return False, f"{bwrap} cannot make a sandbox here: {why[-1] if why else 'exit ' + str(r.returncode)}"
    v = subprocess.run([bwrap, "--version"], capture_output=True, timeout=30)
    return True, v.stdout.decode(errors="replace").strip()


def main(argv):
    if "--inner" in argv[: argv.index("--") if "--" in argv else len(argv)]:
        return inner(argv)
    return run(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
