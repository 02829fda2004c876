"""scripts/progress.sh: the table (plain and coloured), its rows from grading results, and one
in-place public-only grading of a tiny kit against the fake Bazel."""

import os
import unittest

from grader import manifest, progress, runner
from grader.tests import testkit
from grader.tests.testkit import TempDirTest, make_kit, write

A = "//raft/tests:a_test"
H = "//grader/hidden/raft:h_test"
B = "//kv/tests:b_test"
ESC = "\033["


def a_row(lab="2aa", passed=3, total=4, points=22.5, max_points=30, slowest=("Raft2AA.Slow", 1234),
          failure=("Raft2AA.Bad", "failed", "bazel test //raft/tests:election_2aa_test --test_env=TINYKV_SEED=1"), note=""):
    return {"lab": lab, "title": "t", "passed": passed, "total": total, "points": points, "max_points": max_points,
            "slowest": slowest, "first_failure": failure, "note": note}


class RenderTest(unittest.TestCase):
    def test_plain_table_has_every_column_and_the_replay(self):
        text = progress.render([a_row(), a_row(lab="1", passed=9, total=9, points=90, max_points=90,
                                               slowest=("Raw1.Scan", 42), failure=None)])
        self.assertNotIn(ESC, text)
        lines = text.splitlines()
        self.assertEqual(lines[0].split(), ["lab", "cases", "points", "slowest", "case", "first", "failing", "case"])
        self.assertRegex(lines[2], r"^2aa\s+3/4\s+22\.5 / 30\s+Raft2AA\.Slow \(1\.2 s\)\s+Raft2AA\.Bad$")
        self.assertIn("replay: bazel test //raft/tests:election_2aa_test --test_env=TINYKV_SEED=1", lines[3])
        self.assertRegex(lines[4], r"^1\s+9/9\s+90 / 90\s+Raw1\.Scan \(42 ms\)\s+-$")
        self.assertIn("public points: 112.5 / 120", text)

    def test_colour_by_state(self):
        text = progress.render([
            a_row(lab="1", passed=9, total=9, failure=None),
            a_row(lab="2aa", passed=3, total=4),
            a_row(lab="2b", passed=0, total=5),
            a_row(lab="2c", passed=0, total=0, note="build failed", failure=("(the build)", "failed", "bazel build //x:y")),
        ], color=True)
        lines = text.splitlines()
        self.assertTrue(lines[0].startswith(progress.BOLD))
        self.assertTrue(lines[2].startswith(progress.GREEN) and lines[2].endswith(progress.RESET))
        self.assertTrue(lines[3].startswith(progress.YELLOW))
        self.assertTrue(lines[5].startswith(progress.RED))
        self.assertTrue(lines[7].startswith(progress.RED))
        self.assertIn("build failed", lines[7])
        self.assertTrue(lines[8].startswith(progress.DIM) and "bazel build //x:y" in lines[8])

    def test_kinds_other_than_failed_are_named(self):
        text = progress.render([a_row(failure=("Raft2AA.Hang", "timeout", "r"))])
        self.assertIn("Raft2AA.Hang (timeout)", text)

    def test_use_color(self):
        class Tty:
            def isatty(self):
                return True

        class Pipe:
            def isatty(self):
                return False

        saved = dict(os.environ)
        try:
            os.environ.pop("NO_COLOR", None)
            os.environ["TERM"] = "xterm"
            self.assertTrue(progress.use_color("auto", Tty()))
            self.assertFalse(progress.use_color("auto", Pipe()))
            self.assertTrue(progress.use_color("always", Pipe()))
            self.assertFalse(progress.use_color("never", Tty()))
            os.environ["NO_COLOR"] = "1"
            self.assertFalse(progress.use_color("auto", Tty()))
        finally:
            os.environ.clear()
            os.environ.update(saved)


def target(label, hidden=False, status="failed", cases=(), points=0.0, max_points=30):
    return {"target": label, "hidden": hidden, "status": status, "points": points, "max_points": max_points,
            "passed": sum(1 for c in cases if c["passed"]), "total": len(cases), "cases": list(cases)}


def case(name, passed, kind="failed", replay="r"):
    return {"name": name, "passed": passed,
            "failures": [] if passed else [{"seed": 1, "kind": kind, "message": "m", "replay": replay}]}


class RowTest(TempDirTest):
    def test_public_cases_only_first_failure_in_order_and_slowest(self):
        result = {"lab": "x", "title": "X", "status": "graded", "score": 15.0, "max_score": 30.0, "targets": [
            target(A, cases=[case("S.a", True), case("S.b", False, replay="bazel test A"), case("S.c", False)]),
            target(H, hidden=True, status="skipped"),
        ]}
        r = progress.row(result, {"S.a": 5, "S.b": 700, "S.c": 3, "H.x": 9999})
        self.assertEqual((r["passed"], r["total"], r["points"], r["max_points"]), (1, 3, 15.0, 30.0))
        self.assertEqual(r["slowest"], ("S.b", 700))
        self.assertEqual(r["first_failure"], ("S.b", "failed", "bazel test A"))
        self.assertEqual(r["note"], "")

    def test_build_failure(self):
        result = {"lab": "x", "title": "X", "status": "build_failed", "score": 0.0, "max_score": 30.0,
                  "targets": [target(A, status="build_failed")]}
        r = progress.row(result, {})
        self.assertEqual(r["note"], "build failed")
        self.assertEqual(r["first_failure"][2], f"bazel build {A}")

    def test_case_times_from_gtest_logs(self):
        write(self.tmp, "logs/t/seed1.log", "[ RUN      ] S.a\n[       OK ] S.a (12 ms)\n"
              "[  FAILED  ] S.b (340 ms)\n[  FAILED  ] S.b\n[       OK ] S.c (not a time)\n")
        write(self.tmp, "logs/t/seed1-rerun1.log", "[       OK ] S.a (30 ms)\n")
        self.assertEqual(progress.case_times(self.path("logs")), {"S.a": 30, "S.b": 340})


class LeafLabsTest(TempDirTest):
    def test_grouping_labs_become_their_parts(self):
        kit = make_kit(self.path("kit"))
        ms = manifest.load_manifests(kit)
        # y has tests of its own (and includes x): a row of its own.
        self.assertEqual(progress.leaf_labs(ms, ["x", "y"]), ["x", "y"])

        class Lab:
            def __init__(self, includes, tests):
                self.includes, self.tests = includes, tests

        class Ms:
            labs = {"2a": Lab(["2aa", "2ab"], []), "2aa": Lab([], [1]), "2ab": Lab([], [1]), "1": Lab([], [1])}

            def get(self, name):
                return self.labs[name]

        self.assertEqual(progress.leaf_labs(Ms(), ["1", "2aa", "2a"]), ["1", "2aa", "2ab"])


class InPlaceTest(TempDirTest):
    def test_grades_the_tree_itself_public_only(self):
        kit = make_kit(self.path("kit"))
        write(kit, "raft/raft.cc", "// the student's own work, in place\n")
        binary = testkit.fake_bazel(self.tmp, {"tests": {
            A: [{"name": "S.a"}, {"name": "S.b", "fail_seeds": [1]}],
            H: [{"name": "H.x"}],
        }})
        # Records where Bazel was started: the kit itself, not a scratch copy.
        wrapper = write(self.tmp, "bazel-in", f'#!/bin/sh\npwd -P >> "{self.path("cwds")}"\nexec "{binary}" "$@"\n')
        os.chmod(wrapper, 0o755)
        opts = runner.Options(bazel=wrapper, sandbox="processwrapper", public_only=True)
        ms = manifest.load_manifests(kit)
        rows = progress.progress(kit, ms, ["x"], self.path("out"), opts)
        self.assertEqual(len(rows), 1)
        r = rows[0]
        self.assertEqual((r["passed"], r["total"], r["points"], r["max_points"]), (1, 2, 15.0, 30.0))
        self.assertEqual(r["first_failure"][0], "S.b")
        self.assertIn("--gtest_filter=S.b", r["first_failure"][2])
        # Bazel ran in the kit itself, and never on the hidden suite.
        with open(self.path("cwds")) as f:
            self.assertEqual(set(f.read().split()), {os.path.realpath(kit)})
        calls = testkit.calls(self.tmp)
        self.assertTrue(calls)
        self.assertFalse(any(H in c for c in calls))
        self.assertTrue(os.path.exists(self.path("out", "x", "report.txt")))
        with open(os.path.join(kit, "raft/raft.cc")) as f:
            self.assertEqual(f.read(), "// the student's own work, in place\n")

    def test_refuses_hidden_suites(self):
        with self.assertRaises(ValueError):
            progress.progress(self.tmp, None, [], self.tmp, runner.Options())


if __name__ == "__main__":
    unittest.main()
