"""Reading gtest's XML and logs, merging seeds, and the rubric."""

import unittest

from grader import gtest, scoring
from grader.gtest import CaseResult
from grader.manifest import TestSpec
from grader.tests.testkit import TempDirTest, write

GTEST_XML = """<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="4" failures="1" disabled="1" errors="0" name="AllTests">
  <testsuite name="Raft2AA" tests="4">
    <testcase name="Good" status="run" result="completed" classname="Raft2AA" />
    <testcase name="Bad" status="run" result="completed" classname="Raft2AA">
      <failure message="short">x.cc:3&#x0A;expected 1, got 2</failure>
    </testcase>
    <testcase name="Skipped" status="run" result="skipped" classname="Raft2AA"><skipped message="" /></testcase>
    <testcase name="DISABLED_Off" status="notrun" result="suppressed" classname="Raft2AA" />
  </testsuite>
  <testsuite name="P/Param" tests="1">
    <testcase name="Case/0" status="run" result="completed" classname="P/Param" />
  </testsuite>
</testsuites>
"""

BAZEL_XML = """<?xml version="1.0" encoding="UTF-8"?>
<testsuites><testsuite name="raft/tests/x_test" tests="1" failures="0" errors="1">
<testcase name="raft/tests/x_test" status="run" duration="0" time="0"><error message="exited with error code 139"></error></testcase>
</testsuite></testsuites>
"""

CRASH_LOG = """exec ${PAGER:-/usr/bin/less} "$0" || exit 1
[==========] Running 3 tests from 1 test suite.
[ RUN      ] S.Ok1
[       OK ] S.Ok1 (0 ms)
[ RUN      ] S.Fails
x.cc:1: Failure
[  FAILED  ] S.Fails (1 ms)
[ RUN      ] S.Crash
about to crash
"""

LIST = """S.
  A
  B
P/Param.
  Case/0  # GetParam() = 1
T/0.  # TypeParam = int
  C
"""


class GtestTest(TempDirTest):
    def test_gtest_xml(self):
        path = write(self.tmp, "test.xml", GTEST_XML)
        is_gtest, cases = gtest.parse_xml(path)
        self.assertTrue(is_gtest)
        self.assertEqual(sorted(cases), ["P/Param.Case/0", "Raft2AA.Bad", "Raft2AA.Good", "Raft2AA.Skipped"])
        self.assertTrue(cases["Raft2AA.Good"].passed)
        self.assertFalse(cases["Raft2AA.Bad"].passed)
        self.assertIn("expected 1, got 2", cases["Raft2AA.Bad"].message)
        self.assertEqual(cases["Raft2AA.Skipped"].kind, "skipped")  # a skip is not a pass

    def test_bazel_stand_in_xml_is_not_gtest(self):
        path = write(self.tmp, "test.xml", BAZEL_XML)
        self.assertEqual(gtest.parse_xml(path), (False, {}))

    def test_missing_or_broken_xml(self):
        self.assertEqual(gtest.parse_xml(self.path("nope.xml")), (False, {}))
        path = write(self.tmp, "bad.xml", "<testsuites><testcase")
        self.assertEqual(gtest.parse_xml(path), (False, {}))

    def test_log_of_a_crash(self):
        done, running, lines = gtest.parse_log(CRASH_LOG)
        self.assertEqual(sorted(done), ["S.Fails", "S.Ok1"])
        self.assertTrue(done["S.Ok1"].passed)
        self.assertFalse(done["S.Fails"].passed)
        self.assertIn("x.cc:1: Failure", done["S.Fails"].message)
        self.assertEqual(running, "S.Crash")
        self.assertEqual(lines, ["about to crash"])

    def test_log_summary_lines_are_not_cases(self):
        log = CRASH_LOG.replace("[ RUN      ] S.Crash\nabout to crash\n", "") + (
            "[==========] 2 tests ran.\n[  PASSED  ] 1 test.\n[  FAILED  ] 1 test, listed below:\n[  FAILED  ] S.Fails\n"
        )
        done, running, _ = gtest.parse_log(log)
        self.assertEqual(sorted(done), ["S.Fails", "S.Ok1"])
        self.assertIsNone(running)

    def test_list_tests(self):
        self.assertEqual(gtest.parse_test_list(LIST), ["S.A", "S.B", "P/Param.Case/0", "T/0.C"])

    def test_exclusion_filter(self):
        self.assertEqual(gtest.exclusion_filter(["B.x", "A.y"]), "-A.y:B.x")
        self.assertEqual(gtest.exclusion_filter([]), "*")


class ScoringTest(unittest.TestCase):
    def runs(self, *per_seed):
        return [(seed, {n: CaseResult(n, ok, "" if ok else "failed", "m") for n, ok in cases.items()}) for seed, cases in per_seed]

    def test_a_case_passes_only_on_every_seed(self):
        merged = scoring.merge_seeds(self.runs((1, {"a": True, "b": True}), (2, {"a": True, "b": False})))
        self.assertEqual([(c["name"], c["passed"]) for c in merged], [("a", True), ("b", False)])
        self.assertEqual([f["seed"] for f in merged[1]["failures"]], [2])

    def test_a_case_missing_from_a_seed_did_not_run(self):
        merged = scoring.merge_seeds(self.runs((1, {"a": True}), (2, {})))
        self.assertFalse(merged[0]["passed"])
        self.assertEqual(merged[0]["failures"][0]["kind"], "not_run")

    def test_a_failed_case_absent_later_adds_nothing(self):
        merged = scoring.merge_seeds(self.runs((1, {"a": False}), (2, {})))
        self.assertEqual(len(merged[0]["failures"]), 1)

    def test_points(self):
        self.assertEqual(scoring.points_for(30, "proportional", 34, 35), 29.14)
        self.assertEqual(scoring.points_for(30, "proportional", 35, 35), 30.0)
        self.assertEqual(scoring.points_for(10, "all_or_nothing", 4, 5), 0.0)
        self.assertEqual(scoring.points_for(10, "all_or_nothing", 5, 5), 10.0)
        self.assertEqual(scoring.points_for(10, "proportional", 0, 0), 0.0)
        self.assertEqual(scoring.points_for(10, "all_or_nothing", 0, 0), 0.0)

    def test_score_target(self):
        spec = TestSpec("//a:b", 20, "proportional")
        merged = scoring.merge_seeds(self.runs((1, {"a": True, "b": False, "c": True, "d": True})))
        self.assertEqual(scoring.score_target(spec, merged), (15.0, 3, 4))

    def test_total(self):
        self.assertEqual(scoring.total_score([{"points": 1.005}, {"points": 2.0}]), 3.0)


if __name__ == "__main__":
    unittest.main()
