"""grader/budget.py's parsing and bookkeeping, without Bazel: /proc/PID/stat lines, the
process tree, CPU lists, a report's timing and the table row; and one real measurement of a
small process tree (a child that detaches, as Bazel's server does, is still counted)."""

import ctypes
import json
import os
import sys
import tempfile
import unittest

from grader import budget

# A /proc/PID/stat line whose command name holds spaces and parentheses (Bazel's server names
# itself "bazel(wt-x)"); pid 4242, ppid 17, utime 100, stime 20, cutime 300, cstime 4, rss 512 pages.
STAT = ("4242 (bazel(wt x) y) S 17 4242 4242 0 -1 4194560 1 2 3 4 100 20 300 4 20 0 57 0 "
        "12345 4810100 512 18446744073709551615 1 1 0 0 0 0 0 4096 1073 0 0 0 17 1 0 0 0 0 0")


class ParseTest(unittest.TestCase):
    def test_stat_fields_after_the_command_name(self):
        ppid, rss, ticks = budget.parse_stat(STAT)
        self.assertEqual(ppid, 17)
        self.assertEqual(rss, 512 * budget.PAGE)
        self.assertEqual(ticks, 100 + 20 + 300 + 4)

    def test_stat_of_this_process(self):
        with open(f"/proc/{os.getpid()}/stat") as f:
            ppid, rss, _ = budget.parse_stat(f.read())
        self.assertEqual(ppid, os.getppid())
        self.assertGreater(rss, 1 << 20)

    def test_descendants(self):
        parents = {2: 1, 3: 2, 4: 2, 5: 4, 6: 99, 7: 6}
        self.assertEqual(sorted(budget.descendants(parents, 1)), [2, 3, 4, 5])
        self.assertEqual(sorted(budget.descendants(parents, 4)), [5])
        self.assertEqual(budget.descendants(parents, 3), [])

    def test_cpus(self):
        self.assertEqual(budget.parse_cpus("0"), {0})
        self.assertEqual(budget.parse_cpus("0,1"), {0, 1})
        self.assertEqual(budget.parse_cpus("0-2,5"), {0, 1, 2, 5})
        with self.assertRaises(ValueError):
            budget.parse_cpus("a")

    def test_grade_timing_and_row(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "summary.json")
            with open(path, "w") as f:
                json.dump({"score": 100.0, "max_score": 100.0,
                           "timing": {"prepare": 0.4, "build": 273.2, "test": 43.0, "total": 316.9}}, f)
            self.assertEqual(budget.grade_timing(path), (273.2, 43.0, 316.9, 100.0, 100.0))
        row = budget.table_row({"lab": "2c", "cores": 1, "build_s": 273.2, "test_s": 43.0, "grade_wall_s": 319.4,
                                "grade_cpu_s": 301.0, "peak_rss_bytes": int(1.78 * budget.GIB), "score": 100.0,
                                "max_score": 100.0, "load_start": [1.04, 0, 0], "load_end": [1.2, 0, 0]})
        self.assertEqual(row, "| 2c | 1 | 273 | 43 | 319 | 301 | 1.78 | 100/100 | 1.0-1.2 |")
        self.assertEqual(row.count("|"), budget.TABLE_HEAD.splitlines()[0].count("|"))


# Burns CPU, starts a grandchild that detaches (double fork, like a daemon) and burns more,
# then exits without waiting for it.
TREE = r"""
import os, sys, time
def burn(seconds):
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
if os.fork() == 0:
    if os.fork() == 0:
        os.setsid()
        data = bytearray(64 << 20)  # resident: touched below
        for i in range(0, len(data), 4096):
            data[i] = 1
        burn(0.6)
        time.sleep(0.6)
    os._exit(0)
burn(0.3)
"""


class MeasureTest(unittest.TestCase):
    def test_a_detached_grandchild_is_counted(self):
        libc = ctypes.CDLL(None, use_errno=True)
        self.assertEqual(libc.prctl(budget.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0)
        try:
            m = budget.measure([sys.executable, "-c", TREE], cpus={sorted(os.sched_getaffinity(0))[0]})
        finally:
            libc.prctl(budget.PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
        self.assertEqual(m["rc"], 0)
        self.assertTrue(m["all_reaped"])
        self.assertGreaterEqual(m["cpu_s"], 0.8)  # 0.3 s + the detached 0.6 s
        self.assertGreaterEqual(m["wall_s"], 1.2)  # waited for the detached one
        self.assertGreater(m["peak_rss_bytes"], 64 << 20)


if __name__ == "__main__":
    unittest.main()
