"""Failure timelines in the reports: which case a page belongs to, copying it out of the
test's outputs (plain or zipped), the report's link, and hidden suites left out unless asked."""

import os
import types
import unittest
import zipfile

from grader import report, runner, scoring, timelines
from grader.gtest import CaseResult
from grader.tests.testkit import TempDirTest, write

LOG = """[ RUN      ] S.Passes
[       OK ] S.Passes (1 ms)
[ RUN      ] S.Fails
x.cc:1: Failure
[  FAILED  ] S.Fails (3 ms)
[  SEED    ] 7 — replay with:
             bazel test //a:b_test --test_env=TINYKV_SEED=7 --test_arg=--gtest_filter=S.Fails
[ TIMELINE ] timeline.html in bazel-testlogs/a/b_test/test.outputs/outputs.zip — open it in a browser:
             unzip -o bazel-testlogs/a/b_test/test.outputs/outputs.zip timeline.html -d /tmp/tinykv-timeline && xdg-open /tmp/tinykv-timeline/timeline.html
[ RUN      ] P/S.Also/0
[ TIMELINE ] /tmp/x/timeline-P_S.Also_0.html — open it in a browser
"""


class TimelinesTest(TempDirTest):
    def test_each_page_belongs_to_the_case_before_it(self):
        self.assertEqual(
            timelines.pages_in_log(LOG),
            {"S.Fails": "timeline.html", "P/S.Also/0": "timeline-P_S.Also_0.html"},
        )

    def test_copies_the_failed_cases_pages_next_to_the_report(self):
        outputs = self.path("testlogs", "a", "b_test", "test.outputs")
        write(outputs, "timeline.html", "<html>fails</html>")
        write(outputs, "timeline-P_S.Also_0.html", "<html>also</html>")
        found = timelines.collect(LOG, outputs, {"S.Fails", "P/S.Also/0"}, self.path("report"), "//a:b_test", 7)
        self.assertEqual(found["S.Fails"], os.path.join("timelines", "a_b_test", "S.Fails-seed7.html"))
        with open(self.path("report", found["S.Fails"])) as f:
            self.assertEqual(f.read(), "<html>fails</html>")
        self.assertIn("P/S.Also/0", found)

    def test_reads_a_zipped_outputs_folder_and_skips_passed_cases(self):
        outputs = self.path("test.outputs")
        os.makedirs(outputs)
        with zipfile.ZipFile(os.path.join(outputs, "outputs.zip"), "w") as z:
            z.writestr("timeline.html", "<html>zipped</html>")
        found = timelines.collect(LOG, outputs, {"S.Fails"}, self.path("report"), "//a:b_test", 3)
        self.assertEqual(list(found), ["S.Fails"])
        with open(self.path("report", found["S.Fails"])) as f:
            self.assertEqual(f.read(), "<html>zipped</html>")

    def test_the_report_links_the_page(self):
        bad = CaseResult("S.Fails", False, "failed", "expected 1")
        bad.timeline = "timelines/a_b_test/S.Fails-seed7.html"
        merged = scoring.merge_seeds([(7, {"S.Fails": bad})])
        self.assertEqual(merged[0]["failures"][0]["timeline"], bad.timeline)
        result = {
            "lab": "x", "title": "X", "status": "graded", "score": 0.0, "max_score": 1.0,
            "submission": {}, "warnings": [], "build": {"ok": True}, "options": {}, "timing": {},
            "targets": [{
                "target": "//a:b_test", "hidden": False, "seeds_planned": [7], "seeds_run": [7],
                "passed": 0, "total": 1, "points": 0.0, "max_points": 1.0, "scoring": "proportional",
                "status": "failed", "message": "",
                "cases": [dict(merged[0], failures=[dict(merged[0]["failures"][0], replay="bazel test //a:b_test")])],
            }],
        }
        text = report.text_report(result)
        self.assertIn("timeline: timelines/a_b_test/S.Fails-seed7.html", text)

    def test_hidden_suites_pages_only_when_asked(self):
        outputs = self.path("testlogs", "h", "test.outputs")
        write(outputs, "timeline.html", "<html>hidden</html>")
        run = types.SimpleNamespace(log=self.path("testlogs", "h", "test.log"), xml=None)
        spec = types.SimpleNamespace(hidden=True, target="//grader/hidden:h_test")
        for show, want in ((False, None), (True, "timelines/grader_hidden_h_test/S.Fails-seed7.html")):
            me = types.SimpleNamespace(opts=types.SimpleNamespace(show_hidden_timelines=show))
            cases = {"S.Fails": CaseResult("S.Fails", False, "failed", "x")}
            runner.Grader._timelines(me, spec, run, cases, LOG, 7, self.path("report"))
            self.assertEqual(cases["S.Fails"].timeline, want)


if __name__ == "__main__":
    unittest.main()
