"""Lab 2A: the Raft algorithm — election (2AA), log replication (2AB), RawNode (2AC).

A lab manifest: the single source of truth for labs/BUILD (the test suites students run),
the grader (student files, hidden tests, points) and the student release. Format: see
labs/README.md.
"""

RAFT_STUDENT_FILES = [
    "raft/raft.h",
    "raft/raft.cc",
    "raft/raft_log.h",
    "raft/raft_log.cc",
    "raft/rawnode.h",
    "raft/rawnode.cc",
]

LAB_2AA = {
    "name": "2aa",
    "title": "Raft leader election",
    "handout": "docs/lab2a.md",
    "student_files": RAFT_STUDENT_FILES,
    "includes": [],
    "tests": [
        {"target": "//raft/tests:election_2aa_test", "points": 30, "scoring": "proportional"},
        {"target": "//grader/hidden/raft:random_election_2aa_test", "points": 10, "scoring": "all_or_nothing", "hidden": True, "seeds": 5},
    ],
}

LAB_2AB = {
    "name": "2ab",
    "title": "Raft log replication",
    "handout": "docs/lab2a.md",
    "student_files": RAFT_STUDENT_FILES,
    "includes": [],
    "tests": [
        {"target": "//raft/tests:replication_2ab_test", "points": 30, "scoring": "proportional"},
        {"target": "//grader/hidden/raft:random_replication_2ab_test", "points": 10, "scoring": "all_or_nothing", "hidden": True, "seeds": 5},
    ],
}

LAB_2AC = {
    "name": "2ac",
    "title": "Raft RawNode and Ready",
    "handout": "docs/lab2a.md",
    "student_files": RAFT_STUDENT_FILES,
    "includes": [],
    "tests": [
        {"target": "//raft/tests:rawnode_2ac_test", "points": 20, "scoring": "proportional"},
    ],
}

LAB_2A = {
    "name": "2a",
    "title": "Raft (all of 2A)",
    "handout": "docs/lab2a.md",
    "student_files": RAFT_STUDENT_FILES,
    "includes": ["2aa", "2ab", "2ac"],
    "tests": [],
}
