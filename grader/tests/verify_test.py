"""Verified seeds against a fake Bazel: the check grades the reference on exactly the grading's
(target, seed) pairs, caches a pass by the sources' hash, reports a failing pair with its
replay command, and batch and gradescope-package refuse to go on after a failure."""

import contextlib
import io
import os
import unittest

from grader import cli, manifest, runner, verify, workspace
from grader.tests import testkit
from grader.tests.testkit import TempDirTest, make_kit, write

A = "//raft/tests:a_test"
H = "//grader/hidden/raft:h_test"
PASS = {"tests": {A: [{"name": "S.a"}, {"name": "S.b"}], H: [{"name": "H.x"}]}}
FAIL_H_SEED_2 = {"tests": {A: [{"name": "S.a"}], H: [{"name": "H.x", "fail_seeds": [2]}]}}


class VerifyTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.kit = make_kit(self.path("kit"))
        self.cache = self.path("cache")

    def check(self, scenario, use_cache=True, **opts):
        binary = testkit.fake_bazel(self.tmp, scenario)
        opts.setdefault("sandbox", "processwrapper")
        o = runner.Options(bazel=binary, **opts)
        ms = manifest.load_manifests(self.kit)
        with workspace.Workspace(root=self.path("ws")) as ws:
            out = verify.verify(self.kit, ms, "x", ws, o, self.cache, report_dir=self.path("report"), use_cache=use_cache)
            self.ws_path = ws.path
        return out

    def seeds_tested(self):
        seeds = []
        for c in testkit.calls(self.tmp):
            if testkit.command(c) == "test":
                seeds += [int(a.split("=")[-1]) for a in c if a.startswith("--test_env=TINYKV_SEED=")]
        return seeds

    def test_passes_on_exactly_the_grading_plan_and_is_cached(self):
        out = self.check(PASS)
        self.assertTrue(out.ok, out.text())
        self.assertFalse(out.cached)
        self.assertEqual(out.pairs, 4)  # a_test on seed 1, h_test on seeds 1, 2, 3
        self.assertEqual(self.seeds_tested(), [1, 2, 3])
        # The submission graded was the reference's copy of the student files.
        with open(os.path.join(self.ws_path, "raft/raft.cc")) as f:
            self.assertEqual(f.read(), "// reference raft.cc\n")
        before = len(testkit.calls(self.tmp))
        again = self.check(PASS)
        self.assertTrue(again.ok and again.cached)
        self.assertEqual(len(testkit.calls(self.tmp)), before, "a cached check runs nothing")
        self.assertIn("cached", again.text())

    def test_the_key_follows_sources_and_plan_not_docs(self):
        self.check(PASS)
        write(self.kit, "docs/lab.md", "a handout edit\n")
        self.assertTrue(self.check(PASS).cached, "the docs reach no test binary")
        write(self.kit, "reference/raft/raft.cc", "// reference raft.cc, fixed\n")
        self.assertFalse(self.check(PASS).cached, "a reference change is checked again")
        self.assertTrue(self.check(PASS).cached)
        write(self.kit, "raft/util.cc", "// framework\n")
        self.assertFalse(self.check(PASS).cached, "a framework change is checked again")
        out = self.check(PASS, seeds=5)
        self.assertFalse(out.cached, "another seed plan is another check")
        self.assertEqual(out.pairs, 6)

    def test_a_failing_seed_is_reported_with_its_replay_and_not_cached(self):
        out = self.check(FAIL_H_SEED_2)
        self.assertFalse(out.ok)
        self.assertEqual(len(out.failures), 1)
        f = out.failures[0]
        self.assertEqual((f["target"], f["case"], f["seed"]), (H, "H.x", 2))
        self.assertEqual(f["replay"], f"bazel test --config=reference {H} --test_env=TINYKV_SEED=2 --test_arg=--gtest_filter=H.x")
        self.assertIn("H.x seed 2", out.text())
        self.assertIn(f["replay"], out.text())
        self.assertTrue(os.path.exists(os.path.join(self.path("report"), "report.txt")))
        self.assertFalse(self.check(FAIL_H_SEED_2).cached)

    def test_a_target_the_reference_cannot_build_fails_the_check(self):
        out = self.check({"tests": PASS["tests"], "build_fail": {A: "no such member"}})
        self.assertFalse(out.ok)
        self.assertEqual(out.failures[0]["target"], A)
        self.assertEqual(out.failures[0]["kind"], "build failed")

    def test_a_build_stopped_by_the_time_limit_is_not_called_a_failing_seed(self):
        out = self.check({"tests": PASS["tests"], "build_sleep": 3}, build_timeout=1)
        self.assertFalse(out.ok, "an unchecked plan is not a verified one")
        self.assertEqual({f["kind"] for f in out.failures}, {verify.BUILD_TIME_LIMIT})
        self.assertIn("could not check", out.text())
        self.assertIn("--build-timeout", out.text())
        self.assertNotIn("FAILS", out.text())

    def test_public_only_checks_no_hidden_seed(self):
        out = self.check(PASS, public_only=True)
        self.assertTrue(out.ok)
        self.assertEqual(out.pairs, 1)
        self.assertEqual(self.seeds_tested(), [1])

    def test_a_kit_without_reference_cannot_verify(self):
        import shutil

        shutil.rmtree(os.path.join(self.kit, "reference"))
        with self.assertRaises(runner.GraderError):
            self.check(PASS)


class CommandsRefuseTest(TempDirTest):
    """batch and gradescope-package run the check first."""

    def setUp(self):
        super().setUp()
        self.kit = make_kit(self.path("kit"))
        write(self.path("subs"), "alice/raft/raft.cc", "// alice\n")
        write(self.path("subs"), "alice/raft/raft.h", "// alice h\n")

    def main(self, scenario, *argv):
        binary = testkit.fake_bazel(self.tmp, scenario)
        common = ["--kit", self.kit, "--bazel", binary, "--workspace-root", self.path("ws")]
        err, out = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            rc = cli.main(list(argv) + common)
        return rc, out.getvalue() + err.getvalue()

    def test_batch_refuses_when_the_reference_fails_a_seed(self):
        rc, text = self.main(FAIL_H_SEED_2, "batch", self.path("subs"), "--lab", "x", "--out", self.path("out"),
                             "--sandbox", "processwrapper")
        self.assertEqual(rc, 1)
        self.assertIn("batch not started", text)
        self.assertIn(f"--config=reference {H} --test_env=TINYKV_SEED=2", text)
        self.assertFalse(os.path.exists(self.path("out", "grades.csv")))

    def test_batch_goes_on_when_the_reference_passes_or_when_told_to_skip(self):
        rc, text = self.main(PASS, "batch", self.path("subs"), "--lab", "x", "--out", self.path("out"),
                             "--sandbox", "processwrapper")
        self.assertEqual(rc, 0, text)
        self.assertIn("the reference passes all 4", text)
        self.assertTrue(os.path.exists(self.path("out", "grades.csv")))
        rc, text = self.main(FAIL_H_SEED_2, "batch", self.path("subs"), "--lab", "x", "--out", self.path("out2"),
                             "--sandbox", "processwrapper", "--skip-verify-seeds")
        self.assertEqual(rc, 0, text)
        self.assertIn("WARNING: --skip-verify-seeds", text)

    def test_gradescope_package_checks_the_seeds_of_its_grade_flags(self):
        zip_path = self.path("autograder.zip")
        rc, text = self.main(FAIL_H_SEED_2, "gradescope-package", zip_path, "--lab", "x",
                             "--grade-flags", "--seeds 2 --sandbox processwrapper")
        self.assertEqual(rc, 1)
        self.assertIn("no autograder written", text)
        self.assertFalse(os.path.exists(zip_path))
        rc, text = self.main(FAIL_H_SEED_2, "gradescope-package", zip_path, "--lab", "x",
                             "--grade-flags", "--seeds 1 --sandbox processwrapper")
        self.assertEqual(rc, 0, text)  # seed 2 is not in this grading's plan
        self.assertIn("all 2 (target, seed) pairs", text)
        self.assertTrue(os.path.exists(zip_path))

    def test_verify_seeds_command(self):
        rc, text = self.main(FAIL_H_SEED_2, "verify-seeds", "--lab", "x", "--out", self.path("v"),
                             "--sandbox", "processwrapper")
        self.assertEqual(rc, 1)
        self.assertIn("FAILS 1", text)
        rc, text = self.main(PASS, "verify-seeds", "--lab", "x", "--out", self.path("v"), "--sandbox", "processwrapper")
        self.assertEqual(rc, 0, text)


if __name__ == "__main__":
    unittest.main()
