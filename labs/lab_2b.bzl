"""Lab 2B: a fault-tolerant key-value store on Raft (TinyKV's project 2B).

Students persist Raft's state through PeerStorage (Append, SaveReadyState) and drive their Raft
group from the peer's message handler (proposeRaftCommand, HandleRaftReady). Their Raft from
lab 2A runs underneath, so its files are part of the submission; a student whose 2A is not
finished can work against the reference Raft with --config=reference-raft.

Time limits: the grader runs each test binary whole (unsharded) and kills it after
--test-timeout (60 s) unless the target sets "timeout". The cluster suites take longer: on a
2-core machine the reference's raftstore_2b_test runs 45 s unloaded (70 s without Raft's
per-append cap; 200 s with the machine at load 9), the hidden suite 23-35 s per seed (135 s at
load 9); 600 s leaves room for a slower but correct submission on a busy machine while still
cutting a hang. The hidden crash suite takes about 32 s per seed: 300 s.

Format: see labs/README.md.
"""

load("//labs:lab_2a.bzl", "RAFT_STUDENT_FILES")

RAFTSTORE_2B_STUDENT_FILES = [
    "raftstore/peer_storage.h",
    "raftstore/peer_storage.cc",
    "raftstore/peer_msg_handler.h",
    "raftstore/peer_msg_handler.cc",
]

LAB_2B = {
    "name": "2b",
    "title": "Fault-tolerant KV store on Raft",
    "handout": "docs/lab2b.md",
    "student_files": RAFT_STUDENT_FILES + RAFTSTORE_2B_STUDENT_FILES,
    "includes": [],
    "tests": [
        {"target": "//raftstore/tests:peer_storage_2b_test", "points": 15, "scoring": "proportional"},
        {"target": "//raftstore/tests:raftstore_2b_test", "points": 60, "scoring": "proportional", "timeout": 600},
        {"target": "//grader/hidden/raftstore:hidden_raftstore_2b_test", "points": 15, "scoring": "all_or_nothing", "hidden": True, "seeds": 3, "timeout": 600},
        # Crash points at engine writes and sends (grader/hidden/raftstore/hidden_crash_test.cc).
        {"target": "//grader/hidden/raftstore:hidden_crash_2b_test", "points": 10, "scoring": "all_or_nothing", "hidden": True, "seeds": 2, "timeout": 300},
    ],
}
