"""What the grading machine really offers, and the Bazel flags that keep a grading inside it.

A container (Gradescope's autograder: 0.5-1 vCPU and 768 MB-3 GB by default) usually shows the
host's CPUs in /proc/cpuinfo and the host's memory in /proc/meminfo; the real limits are the
cgroup's CPU quota and memory limit. Bazel 4 sizes itself from the former: it would run one
compiler per host CPU (each up to ~0.5 GB here) and several test binaries at once on one
vCPU, where the simulated suites' time limits assume they run alone. So the grader tells
Bazel the effective CPU count and memory, and caps its server's Java heap.
"""

import math
import os

# Bazel's server for this kit (a few hundred targets) peaks near 400 MB of heap; the cap keeps
# the JVM from growing into memory the compilers and test binaries need.
JVM_HEAP_MB_MIN = 512
JVM_HEAP_MB_MAX = 2048


def _read(path):
    try:
        with open(path, encoding="ascii", errors="replace") as f:
            return f.read().strip()
    except OSError:
        return None


def parse_cpu_max(text):
    """CPUs allowed by cgroup v2's cpu.max ("quota period" or "max period"); None if unlimited."""
    if not text:
        return None
    parts = text.split()
    if parts[0] == "max" or len(parts) < 2:
        return None
    return int(parts[0]) / int(parts[1])


def parse_cfs(quota, period):
    """CPUs allowed by cgroup v1's cfs_quota_us / cfs_period_us; None if unlimited (-1)."""
    if not quota or not period or int(quota) <= 0 or int(period) <= 0:
        return None
    return int(quota) / int(period)


def parse_mem_limit(text):
    """Bytes allowed by memory.max (v2) or memory.limit_in_bytes (v1); None if unlimited
    ("max", or v1's "no limit", a number near 2^63)."""
    if not text or text == "max":
        return None
    value = int(text)
    return None if value >= 1 << 60 else value


def parse_meminfo(text):
    for line in (text or "").splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) * 1024
    return None


def _cgroup_dirs(controller):
    """The directories that may hold this process's cgroup files for `controller` (v2 and v1,
    with and without a cgroup namespace)."""
    dirs = ["/sys/fs/cgroup", f"/sys/fs/cgroup/{controller}"]
    for line in (_read("/proc/self/cgroup") or "").splitlines():
        _, names, path = line.split(":", 2)
        if path not in ("", "/") and (names == "" or controller in names.split(",")):
            base = "/sys/fs/cgroup" if names == "" else f"/sys/fs/cgroup/{controller}"
            dirs.insert(0, base + path)
    return dirs


def effective_cpus():
    """CPUs this process may use: its affinity mask, rounded-up cgroup quota."""
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        n = os.cpu_count() or 1
    for d in _cgroup_dirs("cpu"):
        quota = parse_cpu_max(_read(os.path.join(d, "cpu.max")))
        if quota is None:
            quota = parse_cfs(_read(os.path.join(d, "cpu.cfs_quota_us")), _read(os.path.join(d, "cpu.cfs_period_us")))
        if quota is not None:
            n = min(n, max(1, math.ceil(quota)))
            break
    return max(1, n)


def effective_memory():
    """Bytes of memory this process's tree may use: MemTotal or the cgroup limit if lower."""
    total = parse_meminfo(_read("/proc/meminfo")) or 4 << 30
    for d in _cgroup_dirs("memory"):
        limit = parse_mem_limit(_read(os.path.join(d, "memory.max")))
        if limit is None:
            limit = parse_mem_limit(_read(os.path.join(d, "memory.limit_in_bytes")))
        if limit is not None:
            return min(total, limit)
    return total


def jvm_heap_mb(memory):
    """The Bazel server's heap cap: a quarter of the memory, within [512 MB, 2 GB]."""
    return int(min(JVM_HEAP_MB_MAX, max(JVM_HEAP_MB_MIN, memory // (4 << 20))))


def bazel_flags(cpus, memory):
    """Command flags sizing Bazel's local execution to `cpus` and `memory` bytes: one action
    per CPU, and half the memory for what Bazel schedules (the rest is its own server's and
    the page cache's)."""
    return [
        f"--jobs={cpus}",
        f"--local_cpu_resources={cpus}",
        f"--local_ram_resources={int(memory // (2 << 20))}",
    ]


def bazel_startup_flags(memory):
    return [f"--host_jvm_args=-Xmx{jvm_heap_mb(memory)}m"]
