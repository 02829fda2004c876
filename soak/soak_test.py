"""The soak's ledger and scheduler without Bazel: a fake test binary fails, crashes or hangs on
chosen seeds; the ledger records passes as ranges and each failure with its replay command;
a second soak resumes where the ledger ends; a change of source hash starts the count again."""

import os
import shutil
import stat
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import soak  # noqa: E402

AUTOGROUP = soak.AUTOGROUP  # (inside the class, `soak` is the method below)

FAKE_TEST = """#!/bin/sh
# Fails on seed 7 (a gtest failure), crashes on seed 9, hangs on seed 11.
case "$TINYKV_SEED" in
  7) echo "[  FAILED  ] Suite.Case (1 ms)"; exit 1 ;;
  9) kill -SEGV $$ ;;
  11) exec sleep 30 ;;
esac
echo "[  PASSED  ] 1 test."
"""


class SoakTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="soak-test-")
        self.runfiles = os.path.join(self.tmp, "t.runfiles")
        os.makedirs(os.path.join(self.runfiles, soak.WORKSPACE_NAME, "pkg"))
        self.binary = os.path.join(self.runfiles, soak.WORKSPACE_NAME, "pkg", "t")
        with open(self.binary, "w") as f:
            f.write(FAKE_TEST)
        os.chmod(self.binary, os.stat(self.binary).st_mode | stat.S_IEXEC)
        self.ledger = os.path.join(self.tmp, "ledger.tsv")
        soak.CACHE = os.path.join(self.tmp, "cache")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def scenario(self, label="//pkg:t", hash_="h1"):
        return soak.Scenario(label, hash_, self.binary, self.runfiles, [])

    def soak(self, goal, hash_="h1", jobs=1):
        s = soak.Soak([self.scenario(hash_=hash_)], self.ledger, goal, timeout=2, log=lambda m: None)
        s.run(jobs, until=None)
        return s

    def standing(self, hash_="h1"):
        return soak.standings(soak.read_ledger(self.ledger), {"//pkg:t": hash_})["//pkg:t"]

    def test_passes_are_ranges_and_failures_carry_their_replay(self):
        self.soak(12)
        st = self.standing()
        self.assertEqual(st.passed_seeds(), [(1, 6), (8, 8), (10, 10), (12, 12)])
        self.assertEqual(st.consecutive(), 6)
        self.assertEqual(sorted(st.failed), [7, 9, 11])
        self.assertEqual(st.failed[7].result, "fail")
        self.assertIn("failed: Suite.Case", st.failed[7].detail)
        self.assertIn("replay: bazel test --config=reference //pkg:t --test_env=TINYKV_SEED=7 --test_arg=--gtest_filter=Suite.Case",
                      st.failed[7].detail)
        self.assertEqual(st.failed[9].result, "crash")
        self.assertEqual(st.failed[11].result, "timeout")
        self.assertTrue(os.path.exists(os.path.join(soak.CACHE, "failures", "pkg.t-h1-seed7", "test.log")))

    @unittest.skipUnless(os.path.exists(AUTOGROUP), "this kernel has no autogroup scheduling")
    def test_a_seed_runs_at_the_lowest_priority_of_its_own_session(self):
        with open(self.binary, "w") as f:
            f.write("#!/bin/sh\ncat /proc/self/autogroup\nexit 1\n")
        self.soak(1)
        detail = self.standing().failed[1].detail
        log = os.path.join(soak.CACHE, "failures", "pkg.t-h1-seed1", "test.log")
        with open(log) as f:
            self.assertRegex(f.read(), r"autogroup-\d+ nice 19", detail)

    def test_a_second_soak_resumes_where_the_ledger_ends(self):
        self.soak(5)
        with open(self.ledger) as f:
            first = f.read()
        self.soak(6)
        with open(self.ledger) as f:
            text = f.read()
        self.assertTrue(text.startswith(first), "the ledger is append-only")
        added = [line for line in text[len(first):].splitlines() if line]
        self.assertEqual(len(added), 1)
        self.assertEqual(added[0].split("\t")[3:6], ["6", "6", "pass"])
        self.assertEqual(self.standing().consecutive(), 6)

    def test_new_sources_start_the_count_again(self):
        self.soak(4)
        self.assertEqual(self.standing("h2").consecutive(), 0)
        self.soak(3, hash_="h2")
        self.assertEqual(self.standing("h2").consecutive(), 3)
        self.assertEqual(self.standing("h1").consecutive(), 4)

    def test_parallel_jobs_cover_each_seed_once(self):
        self.soak(6, jobs=3)
        st = self.standing()
        self.assertEqual(st.passed_seeds(), [(1, 6)])
        self.assertEqual(st.runs, 6)

    def test_stop_discards_the_run_in_flight(self):
        sc = self.scenario()
        stop = threading.Event()
        stop.set()
        self.assertEqual(soak.run_seed(sc, 11, 30, stop)[0], None)

    def test_status_table(self):
        self.soak(3)
        table = soak.status_table([self.scenario()], self.ledger, 1000)
        self.assertIn("//pkg:t", table)
        self.assertIn("1-3", table)


if __name__ == "__main__":
    unittest.main()
