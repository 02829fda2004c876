"""Lab 2C: log GC and snapshots (TinyKV's project 2C), in two halves.

Raft half: sendSnapshot on ErrCompacted, handleSnapshot, maybeCompact, Ready.snapshot (the
Raft student files of lab 2A). Raftstore half: applying the CompactLog admin command (which
schedules the raftlog-gc worker), PeerStorage::ApplySnapshot and the snapshot branch of
SaveReadyState, and updating the peer's region after a snapshot (the raftstore student files
of lab 2B). Given: the raft log GC tick that proposes CompactLog, ScheduleCompactLog,
PeerStorage::Snapshot (asynchronous generation on the region worker), the region and
raftlog-gc workers, and the chunked snapshot transfer.

Time limits (see lab_2b.bzl): on a 2-core machine the reference's raftstore_2c_test runs in
5 s and the hidden suite in 14-21 s per seed, whole; the grader allows 120 s and 180 s. The
hidden crash suite takes about 22 s per seed: 240 s. The Raft targets and crash_2c_test (1 s)
keep the grader's 60 s default.

Format: see labs/README.md.
"""

load("//labs:lab_2a.bzl", "RAFT_STUDENT_FILES")
load("//labs:lab_2b.bzl", "RAFTSTORE_2B_STUDENT_FILES")

LAB_2C = {
    "name": "2c",
    "title": "Raft log GC and snapshots",
    "handout": "docs/lab2c.md",
    "student_files": RAFT_STUDENT_FILES + RAFTSTORE_2B_STUDENT_FILES,
    "includes": [],
    "tests": [
        {"target": "//raft/tests:snapshot_2c_test", "points": 30, "scoring": "proportional"},
        {"target": "//grader/hidden/raft:random_snapshot_2c_test", "points": 10, "scoring": "all_or_nothing", "hidden": True, "seeds": 5},
        {"target": "//raftstore/tests:peer_storage_2c_test", "points": 10, "scoring": "proportional"},
        {"target": "//raftstore/tests:raftstore_2c_test", "points": 30, "scoring": "proportional", "timeout": 120},
        {"target": "//grader/hidden/raftstore:hidden_raftstore_2c_test", "points": 10, "scoring": "all_or_nothing", "hidden": True, "seeds": 2, "timeout": 180},
        # A store crashed while applying a snapshot restarts consistent (raftstore/tests/crash_2c_test.cc).
        {"target": "//raftstore/tests:crash_2c_test", "points": 5, "scoring": "proportional"},
        # Crash points at engine writes and sends, slow workers (grader/hidden/raftstore/hidden_crash_test.cc).
        {"target": "//grader/hidden/raftstore:hidden_crash_2c_test", "points": 5, "scoring": "all_or_nothing", "hidden": True, "seeds": 2, "timeout": 240},
    ],
}
