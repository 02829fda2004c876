"""The runner against a fake Bazel: seeds, missing targets, build failures, crashes and
time-outs with reruns, and the wall-clock limit."""

import os
import time
import unittest

from grader import manifest, runner, workspace
from grader.tests import testkit
from grader.tests.testkit import TempDirTest, make_kit, write

A = "//raft/tests:a_test"
H = "//grader/hidden/raft:h_test"
B = "//kv/tests:b_test"


def cases(*names, **kw):
    return [dict({"name": n}, **kw.get(n.split(".")[1], {})) for n in names]


class RunnerTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.kit = make_kit(self.path("kit"))
        self.sub = self.path("sub")
        write(self.sub, "raft/raft.cc", "// student\n")
        write(self.sub, "raft/raft.h", "// student h\n")

    def grade(self, scenario, lab="x", **opts):
        binary = testkit.fake_bazel(self.tmp, scenario)
        opts.setdefault("sandbox", "processwrapper")
        o = runner.Options(bazel=binary, **opts)
        ms = manifest.load_manifests(self.kit)
        with workspace.Workspace(root=self.path("ws")) as ws:
            g = runner.Grader(self.kit, ms, ws, o)
            self.result = g.grade(lab, self.sub, "alice", self.path("out"))
            self.ws_path = ws.path
        return self.result

    def target(self, label):
        return next(t for t in self.result["targets"] if t["target"] == label)

    def test_all_pass(self):
        r = self.grade({"tests": {A: cases("S.a", "S.b"), H: cases("H.x")}})
        self.assertEqual(r["score"], 40)
        self.assertEqual(r["max_score"], 40)
        self.assertEqual(self.target(H)["seeds_run"], [1, 2, 3])
        self.assertEqual(self.target(A)["seeds_run"], [1])
        # The student's file was laid over the kit, the test itself was not.
        with open(os.path.join(self.ws_path, "raft/raft.cc")) as f:
            self.assertEqual(f.read(), "// student\n")
        test_calls = [c for c in testkit.calls(self.tmp) if testkit.command(c) == "test"]
        self.assertEqual(len(test_calls), 3)  # one `bazel test` per seed
        self.assertIn("--test_env=TINYKV_SEED=2", test_calls[1])
        self.assertIn("--nocache_test_results", test_calls[0])

    def test_a_case_failing_on_one_seed_fails(self):
        r = self.grade({"tests": {A: cases("S.a", "S.b", b={"fail_seeds": [1]}), H: cases("H.x", "H.y", y={"fail_seeds": [2]})}})
        self.assertEqual(self.target(A)["points"], 15)
        h = self.target(H)
        self.assertEqual(h["points"], 0)
        self.assertEqual(h["seeds_run"], [1, 2])  # all-or-nothing: seed 3 cannot help
        failure = next(c for c in h["cases"] if c["name"] == "H.y")["failures"][0]
        self.assertEqual(failure["seed"], 2)
        self.assertEqual(failure["replay"], f"bazel test {H} --test_env=TINYKV_SEED=2 --test_arg=--gtest_filter=H.y")
        self.assertEqual(r["score"], 15)

    def test_seed_overrides(self):
        self.grade({"tests": {A: cases("S.a"), H: cases("H.x")}}, seeds=5, seed_base=10)
        self.assertEqual(self.target(H)["seeds_run"], [10, 11, 12, 13, 14])
        self.assertEqual(self.target(A)["seeds_run"], [10])
        self.grade({"tests": {A: cases("S.a"), H: cases("H.x")}}, seeds_every=2)
        self.assertEqual(self.target(A)["seeds_run"], [1, 2])

    def test_missing_target_is_reported_not_fatal(self):
        r = self.grade({"missing": [H], "tests": {A: cases("S.a")}})
        self.assertEqual(self.target(H)["status"], "missing")
        self.assertIn("not found", self.target(H)["message"])
        self.assertEqual(r["score"], 30)
        self.assertTrue(any("kit problem" in w for w in r["warnings"]))

    def test_build_failure_scores_zero_with_errors(self):
        r = self.grade({"build_fail": {A: "expected ';'", H: "expected ';'"}})
        self.assertEqual(r["status"], "build_failed")
        self.assertEqual(r["score"], 0)
        self.assertIn("expected ';'", r["build"]["errors"])
        self.assertTrue(os.path.exists(self.path("out", "build.log")))

    def test_crash_fails_one_case_and_the_rest_rerun(self):
        r = self.grade({"tests": {A: cases("S.a", "S.b", "S.c", "S.d", b={"crash": True}), H: cases("H.x")}})
        a = self.target(A)
        self.assertEqual((a["passed"], a["total"]), (3, 4))
        b = next(c for c in a["cases"] if c["name"] == "S.b")
        self.assertEqual(b["failures"][0]["kind"], "crashed")
        self.assertIn("signal 11", b["failures"][0]["message"])
        self.assertEqual(a["points"], 22.5)
        self.assertEqual(r["score"], 32.5)
        # The rerun names the cases left (the binary lists them once), not "-S.a:S.b".
        reruns = [c for c in testkit.calls(self.tmp) if "--test_arg=--gtest_filter=S.c:S.d" in c]
        self.assertEqual(len(reruns), 1)
        lists = [c for c in testkit.calls(self.tmp) if "--test_arg=--gtest_list_tests" in c]
        self.assertEqual(len(lists), 1)

    def test_rerun_keeps_to_the_targets_own_filter(self):
        # One binary, its cases filtered by the target's own args (as the hidden crash suites
        # of 2B and 2C): a rerun's --gtest_filter replaces that filter, so it must not bring
        # the other lab's cases in.
        both = cases("C.a", "C.b", "C.c", "D.x", "D.y", b={"crash": True})
        r = self.grade({"tests": {A: both, H: cases("H.x")}, "own_filter": {A: "C.*"}})
        a = self.target(A)
        self.assertEqual(sorted(c["name"] for c in a["cases"]), ["C.a", "C.b", "C.c"])
        self.assertEqual((a["passed"], a["total"]), (2, 3))
        self.assertEqual(r["score"], 30)
        # The last case dies: nothing is left to rerun.
        os.unlink(os.path.join(self.tmp, "scenario.json.calls"))
        self.grade({"tests": {A: cases("C.a", "C.b", "D.x", b={"crash": True}), H: cases("H.x")}, "own_filter": {A: "C.*"}})
        self.assertEqual(sorted(c["name"] for c in self.target(A)["cases"]), ["C.a", "C.b"])
        self.assertFalse([c for c in testkit.calls(self.tmp) if any("-rerun" in x or "gtest_filter=-" in x for x in c)])

    def test_a_case_that_crashed_is_left_out_of_later_seeds(self):
        # Proportional hidden-style target over three seeds: the case that crashed on seed 1
        # is not run again, and the other seeds still run the target's own cases only.
        lab = testkit.read(os.path.join(self.kit, "labs/lab_x.bzl"))
        write(self.kit, "labs/lab_x.bzl", lab.replace('"points": 10, "scoring": "all_or_nothing"', '"points": 10, "scoring": "proportional"'))
        self.grade({"tests": {A: cases("S.a"), H: cases("H.x", "H.y", "I.z", y={"crash": [1]})}, "own_filter": {H: "H.*"}})
        h = self.target(H)
        self.assertEqual(h["seeds_run"], [1, 2, 3])
        self.assertEqual(sorted(c["name"] for c in h["cases"]), ["H.x", "H.y"])
        later = [c for c in testkit.calls(self.tmp) if "--test_env=TINYKV_SEED=2" in c]
        self.assertEqual([x for c in later for x in c if "gtest_filter" in x], ["--test_arg=--gtest_filter=H.x"])

    def test_crash_on_a_later_seed_is_excluded_afterwards(self):
        self.grade({"tests": {A: cases("S.a"), H: cases("H.x", "H.y", y={"crash": [1]})}}, seeds=3)
        h = self.target(H)
        self.assertEqual(h["seeds_run"], [1])  # all-or-nothing and already failed

    def test_a_case_that_times_out_once_runs_again_alone(self):
        # A busy machine can stop a correct run at its wall-clock limit: one more run alone
        # decides. A case that hangs every time keeps its timeout.
        r = self.grade({"tests": {A: cases("S.a", "S.b", "S.c", a={"hang_runs": [1]}, c={"hang": True}), H: cases("H.x")}})
        a = self.target(A)
        verdicts = {c["name"]: (c["failures"][0]["kind"] if c["failures"] else "pass") for c in a["cases"]}
        self.assertEqual(verdicts, {"S.a": "pass", "S.b": "pass", "S.c": "timeout"})
        self.assertIn("hit the 60 s limit again", a["cases"][2]["failures"][0]["message"])
        alone = [x for c in testkit.calls(self.tmp) for x in c if x in ("--test_arg=--gtest_filter=S.a", "--test_arg=--gtest_filter=S.c")]
        self.assertEqual(alone, ["--test_arg=--gtest_filter=S.a", "--test_arg=--gtest_filter=S.c"])
        self.assertEqual((a["passed"], a["total"], a["points"], r["score"]), (2, 3, 20, 30))

    def test_timeout_then_budget_runs_out(self):
        # Every case hangs: the first run and the reruns time out until the budget is spent;
        # the cases never reached are listed and fail as not run.
        r = self.grade(
            {"tests": {A: cases("S.a", "S.b", "S.c", "S.d", a={"hang": True}, b={"hang": True}, c={"hang": True}, d={"hang": True}), H: cases("H.x")}},
            rerun_budget=0,
        )
        a = self.target(A)
        kinds = {c["name"]: c["failures"][0]["kind"] for c in a["cases"]}
        self.assertEqual(kinds, {"S.a": "timeout", "S.b": "not_run", "S.c": "not_run", "S.d": "not_run"})
        self.assertEqual(a["points"], 0)
        self.assertEqual(r["score"], 10)

    def test_manifest_time_limits_per_target_and_the_cap(self):
        # The hidden suite gets its manifest's limit, the public one --test-timeout; the two
        # run in separate `bazel test`s (one --test_timeout each); max_test_timeout caps both.
        lab = testkit.read(os.path.join(self.kit, "labs/lab_x.bzl"))
        write(self.kit, "labs/lab_x.bzl", lab.replace('"hidden": True, "seeds": 3}', '"hidden": True, "seeds": 3, "timeout": 300}'))
        scenario = {"tests": {A: cases("S.a"), H: cases("H.x")}}

        def limits():
            out = {}
            for c in testkit.calls(self.tmp):
                if testkit.command(c) == "test":
                    limit = next(x for x in c if x.startswith("--test_timeout="))
                    for label in c[c.index("--") + 1:]:
                        out.setdefault(label, set()).add(limit)
            return out

        self.grade(scenario, test_timeout=45)
        self.assertEqual(limits(), {A: {"--test_timeout=45"}, H: {"--test_timeout=300"}})
        self.assertEqual((self.target(A)["timeout"], self.target(H)["timeout"]), (45, 300))
        os.unlink(os.path.join(self.tmp, "scenario.json.calls"))
        self.grade(scenario, test_timeout=45, max_test_timeout=10)
        self.assertEqual(limits(), {A: {"--test_timeout=10"}, H: {"--test_timeout=10"}})
        # The rerun budget follows the target's own limit.
        o = runner.Options(test_timeout=45)
        self.assertEqual(o.budget(manifest.TestSpec(H, 10, timeout=300)), 900)
        self.assertEqual(o.budget(manifest.TestSpec(A, 10)), 135)

    def test_hidden_suites_left_out(self):
        r = self.grade({"tests": {A: cases("S.a")}}, public_only=True)
        self.assertEqual(self.target(H)["status"], "skipped")
        self.assertEqual(r["max_score"], 30)
        self.assertEqual(r["score"], 30)
        self.assertFalse(os.path.exists(os.path.join(self.ws_path, "grader/hidden")))

    def test_include_grades_both_labs_and_only_filters(self):
        write(self.sub, "kv/kv.cc", "// kv\n")
        r = self.grade({"tests": {A: cases("S.a"), H: cases("H.x"), B: cases("K.a", a={"fail_seeds": [1]})}}, lab="y")
        self.assertEqual([t["target"] for t in r["targets"]], [B, A, H])
        self.assertEqual(r["score"], 40)
        r = self.grade({"tests": {A: cases("S.a"), B: cases("K.a")}}, lab="y", only=[B])
        self.assertEqual([t["target"] for t in r["targets"]], [B])

    def test_invalid_submission(self):
        self.sub = self.path("nothing")
        os.makedirs(self.sub)
        r = self.grade({})
        self.assertEqual(r["status"], "invalid_submission")
        self.assertEqual(r["score"], 0)

    def test_wall_clock_limit_stops_a_stuck_bazel(self):
        # Bazel enforces test time limits itself; a `bazel test` that overruns the grader's
        # outer limit means Bazel is stuck, which is the grader's problem, not a score.
        start = time.time()
        with self.assertRaisesRegex(runner.GraderError, "wall-clock limit"):
            self.grade({"test_sleep": 60, "tests": {A: cases("S.a")}}, test_timeout=1, wall_margin=1)
        self.assertLess(time.time() - start, 30)

    def test_refuses_to_grade_the_reference(self):
        with self.assertRaisesRegex(runner.GraderError, "always builds the student's code"):
            self.grade({}, bazel_args=["--config=reference"])
        r = self.grade({"tests": {A: cases("S.a"), H: cases("H.x")}}, reference=["kv"])
        build = [c for c in testkit.calls(self.tmp) if testkit.command(c) == "build"][-1]
        self.assertIn("--config=reference-kv", build)
        self.assertEqual(r["score"], 40)

    def test_build_timeout(self):
        r = self.grade({"build_sleep": 60}, build_timeout=1)
        self.assertEqual(r["status"], "build_failed")
        self.assertIn("did not finish", self.target(A)["message"])


    def test_compiler_errors_without_bazel_noise(self):
        log = "\n".join([
            "INFO: Analyzed 2 targets",
            "ERROR: raft/BUILD:48:11: Compiling raft/raft.cc failed: (Exit 1): process-wrapper failed: error executing command ",
            "  (cd /root/.cache/bazel/x/execroot/tinykv && \\",
            "  exec env - \\",
            "    PATH=/usr/bin \\",
            "  /usr/bin/gcc -c raft/raft.cc",
            "raft/raft.cc:3:1: error: expected ';' before '}' token",
            "    3 | }",
            "FAILED: Build did NOT complete successfully",
        ])
        text = runner.compiler_errors(log)
        self.assertEqual(text.splitlines(), [
            "ERROR: raft/BUILD:48:11: Compiling raft/raft.cc failed: (Exit 1)",
            "raft/raft.cc:3:1: error: expected ';' before '}' token",
            "    3 | }",
        ])


if __name__ == "__main__":
    unittest.main()
