"""Reports (text, Gradescope, JUnit) and batches (CSV, skipping, errors)."""

import csv
import json
import os
import tarfile
import unittest
import xml.etree.ElementTree as ET

from grader import batch, report, util
from grader.tests.testkit import TempDirTest, read, write


def result(student="alice", score_a=15.0, build_ok=True, status="graded"):
    return {
        "student": student,
        "lab": "x",
        "title": "Lab X",
        "status": status,
        "score": score_a,
        "max_score": 40.0,
        "targets": [
            {
                "target": "//raft/tests:a_test",
                "lab": "x",
                "hidden": False,
                "scoring": "proportional",
                "max_points": 30,
                "seeds_planned": [1],
                "seeds_run": [1],
                "status": "failed" if build_ok else "build_failed",
                "message": "",
                "points": score_a,
                "passed": 1,
                "total": 2,
                "cases": [
                    {"name": "S.ok", "passed": True, "failures": []},
                    {
                        "name": "S.bad",
                        "passed": False,
                        "failures": [{"seed": 1, "kind": "crashed", "message": "died <here> & there",
                                      "replay": "bazel test //raft/tests:a_test --test_env=TINYKV_SEED=1 --test_arg=--gtest_filter=S.bad"}],
                    },
                ],
                "runs": [],
            },
            {
                "target": "//grader/hidden/raft:h_test",
                "lab": "x",
                "hidden": True,
                "scoring": "all_or_nothing",
                "max_points": 10,
                "seeds_planned": [1, 2, 3],
                "seeds_run": [1, 2],
                "status": "failed",
                "message": "",
                "points": 0.0,
                "passed": 0,
                "total": 1,
                "cases": [{"name": "H.secret", "passed": False, "failures": [{"seed": 2, "kind": "failed", "message": "hidden detail", "replay": "r"}]}],
                "runs": [],
            },
        ],
        "build": {"ok": build_ok, "errors": "" if build_ok else "raft/raft.cc:3:1: error: expected ';'", "log": "build.log"},
        "submission": {"source": "/s/alice", "files_taken": ["raft/raft.cc"], "missing": ["raft/raft.h"], "refused": [],
                       "ignored_changes": [{"change": "modified", "path": "raft/tests/a_test.cc"}], "ignored_total": 1, "notes": []},
        "warnings": [],
        "timing": {"total": 12.5},
    }


class ReportTest(TempDirTest):
    def test_text(self):
        text = report.text_report(result())
        self.assertIn("Score: 15 / 40", text)
        self.assertIn("2/3", text)  # seeds run of planned
        self.assertIn("S.bad", text)
        self.assertIn("CRASHED with seed 1", text)
        self.assertIn("--gtest_filter=S.bad", text)
        self.assertIn("instructor's kit only", text)
        self.assertIn("not submitted (the stub was graded): raft/raft.h", text)
        self.assertIn("1 other changed file(s) were ignored", text)

    def test_text_build_failure(self):
        text = report.text_report(result(score_a=0, build_ok=False, status="build_failed"))
        self.assertIn("The build failed. Compiler errors:", text)
        self.assertIn("expected ';'", text)

    def test_gradescope(self):
        gs = report.gradescope_json(result())
        self.assertEqual(gs["score"], 15.0)
        self.assertEqual([t["max_score"] for t in gs["tests"]], [30, 10])
        self.assertEqual([t["visibility"] for t in gs["tests"]], ["visible", "after_published"])
        self.assertEqual(gs["tests"][0]["status"], "failed")
        self.assertIn("replay:", gs["tests"][0]["output"])
        self.assertNotIn("replay:", gs["tests"][1]["output"])  # hidden: nothing to replay
        json.dumps(gs)

    def test_junit(self):
        root = ET.fromstring(report.junit_xml(result(build_ok=False, score_a=0)).split("\n", 1)[1])
        self.assertEqual(root.get("tests"), "4")
        self.assertEqual(root.get("failures"), "3")
        names = [c.get("name") for c in root.iter("testcase")]
        self.assertEqual(names, ["compile", "S.ok", "S.bad", "H.secret"])
        bad = [c for c in root.iter("testcase") if c.get("name") == "S.bad"][0]
        self.assertIn("died <here> & there", bad.find("failure").text)

    def test_write_reports(self):
        out = self.path("r")
        report.write_reports(result(), out)
        self.assertEqual(
            sorted(os.listdir(out)),
            ["ignored_changes.txt", "junit.xml", "report.txt", "results.json", "summary.json"],
        )
        self.assertEqual(json.loads(read(os.path.join(out, "summary.json")))["score"], 15.0)


class UtilTest(TempDirTest):
    def test_truncation_keeps_head_and_tail(self):
        path = write(self.tmp, "flood.log", "HEAD\n" + "x" * 1_000_000 + "\nTAIL\n")
        text = util.read_bounded(path, 100, 100)
        self.assertTrue(text.startswith("HEAD"))
        self.assertTrue(text.rstrip().endswith("TAIL"))
        self.assertIn("bytes cut by the grader", text)
        self.assertLess(len(text), 400)
        self.assertEqual(util.read_bounded(self.path("nope")), "")

    def test_atomic_write_replaces(self):
        p = self.path("a", "f.txt")
        util.atomic_write(p, "one")
        util.atomic_write(p, "two")
        self.assertEqual(read(p), "two")
        self.assertEqual(os.listdir(self.path("a")), ["f.txt"])


class BatchTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.subs = self.path("subs")
        os.makedirs(os.path.join(self.subs, "alice"))
        os.makedirs(os.path.join(self.subs, "bob"))
        with tarfile.open(os.path.join(self.subs, "carol.tar.gz"), "w:gz"):
            pass
        write(self.subs, "README.txt", "not a submission")
        write(self.subs, ".hidden/x", "")
        self.out = self.path("out")
        self.calls = []

    def grade_one(self, student, path, tmp):
        self.calls.append(student)
        if student == "bob" and self.bob_breaks:
            raise RuntimeError("grader bug on bob")
        write(tmp, "logs/x.log", "log")
        return result(student, score_a={"alice": 30.0, "bob": 7.5, "carol": 0.0}[student])

    def run_batch(self, force=False):
        return batch.run_batch(self.grade_one, "x", 40.0, self.subs, self.out, force=force, log=lambda m: None)

    def rows(self):
        with open(os.path.join(self.out, "grades.csv")) as f:
            return list(csv.DictReader(f))

    def test_discover(self):
        found, skipped = batch.discover(self.subs)
        self.assertEqual([s for s, _ in found], ["alice", "bob", "carol"])
        self.assertEqual([n for n, _ in skipped], ["README.txt"])

    def test_csv_skip_force_and_errors(self):
        self.bob_breaks = True
        self.assertEqual(self.run_batch(), (2, 0, 1))
        rows = self.rows()
        self.assertEqual([r["student"] for r in rows], ["alice", "bob", "carol"])
        self.assertEqual(rows[0]["score"], "30.0")
        self.assertEqual(rows[0]["a_test"], "30.0")
        self.assertEqual(rows[0]["h_test"], "0.0")
        self.assertEqual(rows[1]["status"], "error")
        self.assertIn("grader bug on bob", read(os.path.join(self.out, "bob", "error.txt")))
        self.assertTrue(os.path.exists(os.path.join(self.out, "alice", "logs", "x.log")))
        self.assertFalse([n for n in os.listdir(self.out) if n.startswith(".tmp-")])

        # A rerun grades only the student whose grading failed.
        self.bob_breaks = False
        self.calls = []
        self.assertEqual(self.run_batch(), (1, 2, 0))
        self.assertEqual(self.calls, ["bob"])
        self.assertEqual(self.rows()[1]["score"], "7.5")

        self.calls = []
        self.run_batch(force=True)
        self.assertEqual(self.calls, ["alice", "bob", "carol"])

    def test_interrupted_batch_leaves_only_whole_results(self):
        self.bob_breaks = False

        def interrupted(student, path, tmp):
            if student == "bob":
                write(tmp, "summary.json", "{half")
                raise KeyboardInterrupt
            return self.grade_one(student, path, tmp)

        with self.assertRaises(KeyboardInterrupt):
            batch.run_batch(interrupted, "x", 40.0, self.subs, self.out, log=lambda m: None)
        self.assertEqual(sorted(n for n in os.listdir(self.out)), ["alice", "grades.csv"])
        self.assertEqual([r["student"] for r in self.rows()], ["alice"])
        self.calls = []
        self.run_batch()
        self.assertEqual(self.calls, ["bob", "carol"])


if __name__ == "__main__":
    unittest.main()
