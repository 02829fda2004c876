"""Cutting the student release (without building it: the self-test script does that)."""

import os
import subprocess
import unittest
import zipfile

from grader import gradescope, release
from grader.tests.testkit import TempDirTest, make_kit, read, write


class ReleaseTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.kit = make_kit(self.path("kit"))
        write(self.kit, "scripts/grader_selftest.sh", "#!/bin/sh\n")
        write(self.kit, "reference/raft/raft.cc", "// the complete solution, long enough to be a secret " + "x" * 64 + "\n")
        self.git("init", "-q")
        self.git("add", "-A")
        self.git("commit", "-qm", "kit with solutions")
        self.git("commit", "-qm", "second", "--allow-empty")

    def git(self, *args, cwd=None):
        return subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
            cwd=cwd or self.kit, check=True, capture_output=True, text=True,
        ).stdout

    def files(self, root):
        return sorted(self.git("ls-files", cwd=root).split())

    def test_release_has_no_solutions_and_one_commit(self):
        dest = self.path("student")
        notes = release.cut(self.kit, dest)
        files = self.files(dest)
        self.assertIn("raft/raft.cc", files)
        self.assertIn("labs/labs.bzl", files)
        for f in files:
            self.assertFalse(f.startswith(("reference/", "grader/hidden/", "grader/selftest/")), f)
        self.assertNotIn("scripts/grader_selftest.sh", files)
        self.assertEqual(read(os.path.join(dest, "raft/raft.cc")), "// stub raft.cc\n")
        self.assertEqual(len(self.git("log", "--oneline", cwd=dest).splitlines()), 1)
        self.assertIn("reference/ (2)", " ".join(notes))

    def test_history_check(self):
        dest = self.path("student")
        release.cut(self.kit, dest)
        self.assertEqual(release.history_leaks(dest), [])
        # A release whose history once held a solution is caught even after the file is gone.
        write(dest, "reference/raft/raft.cc", "// solution\n")
        self.git("add", "-A", cwd=dest)
        self.git("commit", "-qm", "leak", cwd=dest)
        self.git("rm", "-q", "reference/raft/raft.cc", cwd=dest)
        self.git("commit", "-qm", "unleak", cwd=dest)
        problems = release.history_leaks(dest)
        self.assertEqual(len(problems), 2, problems)
        self.assertIn("one commit, found 3", problems[0])
        self.assertIn("reference/raft/raft.cc", problems[1])

    def test_uncommitted_changes_stay_out(self):
        write(self.kit, "raft/raft.cc", "// half-finished edit\n")
        notes = release.cut(self.kit, self.path("student"))
        self.assertEqual(read(self.path("student", "raft/raft.cc")), "// stub raft.cc\n")
        self.assertTrue(any("uncommitted" in n for n in notes))

    def test_a_copied_solution_is_a_leak(self):
        write(self.kit, "docs/answer.cc", read(os.path.join(self.kit, "reference/raft/raft.cc")))
        self.git("add", "-A")
        self.git("commit", "-qm", "oops")
        with self.assertRaisesRegex(release.ReleaseError, "docs/answer.cc: same content as reference/raft/raft.cc"):
            release.cut(self.kit, self.path("student"))
        self.assertFalse(os.path.exists(self.path("student")))

    def test_refuses_a_non_empty_destination(self):
        write(self.tmp, "student/x", "")
        with self.assertRaisesRegex(release.ReleaseError, "not empty"):
            release.cut(self.kit, self.path("student"))


    def test_gradescope_package(self):
        out = self.path("autograder.zip")
        gradescope.package(self.kit, "x", out, "--test-timeout 90")
        with zipfile.ZipFile(out) as z:
            names = z.namelist()
            self.assertIn("setup.sh", names)
            self.assertIn("run_autograder", names)
            self.assertIn("grader/hidden/raft/h_test.cc", names)  # hidden suites must run there
            self.assertFalse([n for n in names if n.startswith(("reference/", "grader/selftest/"))])
            run = z.read("run_autograder").decode()
            self.assertIn("gradescope --lab x --test-timeout 90", run)
            self.assertTrue((z.getinfo("run_autograder").external_attr >> 16) & 0o100)
        with self.assertRaises(Exception):
            gradescope.package(self.kit, "nope", out)


if __name__ == "__main__":
    unittest.main()
