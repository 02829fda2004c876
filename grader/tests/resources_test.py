"""grader/resources.py: reading a container's CPU and memory limits, and the Bazel flags
sized from them."""

import os
import unittest

from grader import resources


class LimitsTest(unittest.TestCase):
    def test_cgroup_v2_cpu_max(self):
        self.assertEqual(resources.parse_cpu_max("50000 100000"), 0.5)
        self.assertEqual(resources.parse_cpu_max("200000 100000"), 2.0)
        self.assertIsNone(resources.parse_cpu_max("max 100000"))
        self.assertIsNone(resources.parse_cpu_max(None))

    def test_cgroup_v1_cfs(self):
        self.assertEqual(resources.parse_cfs("100000", "100000"), 1.0)
        self.assertIsNone(resources.parse_cfs("-1", "100000"))
        self.assertIsNone(resources.parse_cfs(None, None))

    def test_memory_limits(self):
        self.assertEqual(resources.parse_mem_limit("805306368"), 768 << 20)
        self.assertIsNone(resources.parse_mem_limit("max"))
        self.assertIsNone(resources.parse_mem_limit("9223372036854771712"))  # v1: no limit
        self.assertEqual(resources.parse_meminfo("MemTotal:       24683744 kB\nMemFree: 1 kB\n"), 24683744 * 1024)
        self.assertIsNone(resources.parse_meminfo("MemFree: 1 kB\n"))

    def test_this_machine(self):
        cpus = resources.effective_cpus()
        self.assertGreaterEqual(cpus, 1)
        self.assertLessEqual(cpus, len(os.sched_getaffinity(0)))
        self.assertGreater(resources.effective_memory(), 64 << 20)


class FlagsTest(unittest.TestCase):
    def test_gradescope_smallest_and_largest(self):
        self.assertEqual(resources.bazel_flags(1, 768 << 20),
                         ["--jobs=1", "--local_cpu_resources=1", "--local_ram_resources=384"])
        self.assertEqual(resources.bazel_startup_flags(768 << 20), ["--host_jvm_args=-Xmx512m"])
        self.assertEqual(resources.bazel_startup_flags(3 << 30), ["--host_jvm_args=-Xmx768m"])
        self.assertEqual(resources.bazel_startup_flags(24 << 30), ["--host_jvm_args=-Xmx2048m"])


if __name__ == "__main__":
    unittest.main()
