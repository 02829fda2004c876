"""scripts/clangd_check.py's reading of clangd's check output, against a fake clangd: a clean
file passes; an error, a guessed (fallback) command or an unfinished check fails."""

import os
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import clangd_check  # noqa: E402

FAKE = r"""#!/bin/sh
case "$1" in
  *clean.cc) echo "I[1] Compile command from CDB is: gcc -c clean.cc" >&2
             echo "I[2] All checks completed, 0 errors" >&2 ;;
  *broken.cc) echo "E[1] [pp_file_not_found] Line 3: 'raft/raft_logg.h' file not found" >&2
              echo "I[2] All checks completed, 1 errors" >&2 ;;
  *guessed.cc) echo "I[1] Generic fallback command is: clang guessed.cc" >&2
               echo "I[2] All checks completed, 0 errors" >&2 ;;
  *) echo "I[1] crashed" >&2; exit 139 ;;
esac
"""


class ClangdCheckTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.clangd = os.path.join(self.dir.name, "clangd")
        with open(self.clangd, "w") as f:
            f.write(FAKE)
        os.chmod(self.clangd, 0o755)

    def tearDown(self):
        self.dir.cleanup()

    def check(self, rel):
        ok, problems, _ = clangd_check.check_file(self.clangd, self.dir.name, self.dir.name, rel, 30)
        return ok, problems

    def test_clean(self):
        self.assertEqual(self.check("clean.cc"), (True, []))

    def test_unresolved_include_fails_with_clangds_message(self):
        ok, problems = self.check("broken.cc")
        self.assertFalse(ok)
        self.assertEqual(problems, ["[pp_file_not_found] Line 3: 'raft/raft_logg.h' file not found"])

    def test_a_guessed_command_fails(self):
        ok, problems = self.check("guessed.cc")
        self.assertFalse(ok)
        self.assertIn("no compile command", problems[0])

    def test_an_unfinished_check_fails(self):
        ok, problems = self.check("crash.cc")
        self.assertFalse(ok)
        self.assertIn("exit 139", problems[0])

    def test_junit_has_one_case_per_file(self):
        path = os.path.join(self.dir.name, "out.xml")
        clangd_check.junit([("a.cc", True, [], 1.0), ("b.h", False, ["[x] Line 1: bad"], 2.0)], path)
        cases = list(ET.parse(path).getroot().iter("testcase"))
        self.assertEqual([c.get("name") for c in cases], ["a.cc", "b.h"])
        self.assertIsNone(cases[0].find("failure"))
        self.assertEqual(cases[1].find("failure").get("message"), "[x] Line 1: bad")


if __name__ == "__main__":
    unittest.main()
