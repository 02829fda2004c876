"""grader/sandbox.py without Bazel: a fake test (a shell script) in a fake runfiles tree, run
the way Bazel's test runner runs it under --run_under. What it may see, write and use."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from grader import sandbox

SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "sandbox.py")

# The fake test: reports what it can do, one line each, and writes the outputs Bazel expects.
PROBE = r"""#!/bin/sh
echo "cwd=$(pwd)"
echo "uid=$(id -u)"
echo "runfile=$(cat data.txt)"
if cat "$SECRET" >/dev/null 2>&1; then echo "secret=READ"; else echo "secret=hidden"; fi
if ls "$SIBLING" >/dev/null 2>&1; then echo "sibling=LISTED"; else echo "sibling=hidden"; fi
if touch "$SIBLING/escaped" 2>/dev/null; then echo "write=ESCAPED"; else echo "write=refused"; fi
if touch data.txt 2>/dev/null; then echo "runfiles=WRITABLE"; else echo "runfiles=read-only"; fi
echo "net=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\n' ',')"
echo "procs=$(ls /proc | grep -c '^[0-9]')"
echo "home=$HOME tmpdir=$TEST_TMPDIR"
echo "nproc=$(sh -c 'ulimit -p' 2>/dev/null || true) fsize=$(ulimit -f)"
echo "<testsuites/>" > "$XML_OUTPUT_FILE"
echo "timeline" > "$TEST_UNDECLARED_OUTPUTS_DIR/timeline.html"
ln -s "$SECRET" "$TEST_UNDECLARED_OUTPUTS_DIR/link-to-secret"
if dd if=/dev/zero of="$TEST_TMPDIR/fill" bs=1M count=64 2>/dev/null; then echo "fill=WROTE"; else echo "fill=stopped"; fi
exit 3
"""


class SandboxTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        ok, why = sandbox.check()
        if not ok:
            raise unittest.SkipTest("this machine cannot sandbox (the grader warns in every report): " + why)

    def setUp(self):
        # Not under /tmp: the sandbox has its own /tmp, and Bazel's runfiles never live there.
        base = os.environ.get("TEST_TMPDIR") or os.path.expanduser("~/.cache")
        os.makedirs(base, exist_ok=True)
        self.tmp = tempfile.mkdtemp(prefix="sandbox-test-", dir=base)
        self.addCleanup(shutil.rmtree, self.tmp, True)
        os.chmod(self.tmp, 0o755)

    def make(self, rel, text="", mode=0o644):
        path = os.path.join(self.tmp, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, mode)
        return path

    def run_sandboxed(self, limits=None):
        # The "output base": the real binary and data, linked from the runfiles tree.
        real_bin = self.make("out/bin/probe_test", PROBE, 0o755)
        real_data = self.make("ws/pkg/data.txt", "data\n")
        runfiles = os.path.join(self.tmp, "out/bin/probe_test.runfiles/kit")
        os.makedirs(runfiles)
        os.symlink(real_bin, os.path.join(runfiles, "probe_test"))
        os.symlink(real_data, os.path.join(runfiles, "data.txt"))
        secret = self.make("kit/reference/raft.cc", "the reference\n")
        sibling = os.path.join(self.tmp, "submissions/bob")
        os.makedirs(sibling)
        logs = os.path.join(self.tmp, "out/testlogs/probe_test")
        os.makedirs(logs)
        env = {
            "PATH": "/usr/bin:/bin",
            "TEST_SRCDIR": os.path.dirname(runfiles),
            "TEST_TMPDIR": os.path.join(self.tmp, "out/_tmp"),
            "TEST_TIMEOUT": "30",
            "XML_OUTPUT_FILE": os.path.join(logs, "test.xml"),
            "TEST_UNDECLARED_OUTPUTS_DIR": os.path.join(logs, "test.outputs"),
            "SECRET": secret,
            "SIBLING": sibling,
            "HOME": os.path.expanduser("~"),
        }
        os.makedirs(env["TEST_TMPDIR"])
        limits = limits or sandbox.Limits(tmp_mb=32, file_mb=16)
        r = subprocess.run(
            [sys.executable, SCRIPT] + limits.args() + ["--", "./probe_test"],
            cwd=runfiles, env=env, capture_output=True, timeout=120,
        )
        out = dict(line.split("=", 1) for line in r.stdout.decode().splitlines() if "=" in line and " " not in line.split("=", 1)[0])
        return r, out, logs, sibling

    def test_the_test_sees_only_what_it_needs(self):
        r, out, logs, sibling = self.run_sandboxed()
        self.assertEqual(r.returncode, 3, r.stderr.decode())  # the test's own exit status
        self.assertEqual(out["runfile"], "data")
        self.assertEqual(out["secret"], "hidden")
        self.assertEqual(out["sibling"], "hidden")
        self.assertEqual(out["write"], "refused")
        self.assertEqual(out["runfiles"], "read-only")
        self.assertEqual(out["net"], "lo,")
        self.assertLessEqual(int(out["procs"]), 10)  # its own, not the machine's
        self.assertFalse(os.path.exists(os.path.join(sibling, "escaped")))
        if os.geteuid() == 0:
            self.assertNotEqual(out["uid"], "0")
        self.assertEqual(out["fill"], "stopped")  # 64 MiB into a 32 MiB /tmp

    def test_outputs_come_back_without_links(self):
        r, out, logs, _ = self.run_sandboxed()
        with open(os.path.join(logs, "test.xml")) as f:
            self.assertEqual(f.read(), "<testsuites/>\n")
        with open(os.path.join(logs, "test.outputs", "timeline.html")) as f:
            self.assertEqual(f.read(), "timeline\n")
        self.assertFalse(os.path.lexists(os.path.join(logs, "test.outputs", "link-to-secret")))

    def test_command_line_shows_nothing_of_the_kit(self):
        env = {"TEST_SRCDIR": "/x/runfiles", "XML_OUTPUT_FILE": "/x/logs/test.xml"}
        argv = sandbox.bwrap_command(env, ["./t"], sandbox.Limits(), cwd="/x/runfiles/kit", script=SCRIPT)
        binds = [argv[i + 1] for i, a in enumerate(argv) if a in ("--bind", "--ro-bind", "--ro-bind-try")]
        for src in binds:
            self.assertFalse(src == "/" or src == os.path.expanduser("~"), src)
        self.assertIn("--unshare-net", argv)
        self.assertIn("--unshare-pid", argv)
        self.assertIn("--die-with-parent", argv)


if __name__ == "__main__":
    unittest.main()
