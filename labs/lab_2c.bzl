"""Lab 2C: log GC and snapshots. This manifest holds the Raft half; the raftstore half
(CompactLog, the raftlog-gc and region workers, ApplySnapshot) joins it with its own tests.
Format: see labs/README.md.
"""

load("//labs:lab_2a.bzl", "RAFT_STUDENT_FILES")

LAB_2C = {
    "name": "2c",
    "title": "Raft log GC and snapshots",
    "handout": "docs/lab2c.md",
    "student_files": RAFT_STUDENT_FILES,
    "includes": [],
    "tests": [
        {"target": "//raft/tests:snapshot_2c_test", "points": 30, "scoring": "proportional"},
        {"target": "//grader/hidden/raft:random_snapshot_2c_test", "points": 10, "scoring": "all_or_nothing", "hidden": True, "seeds": 5},
    ],
}
