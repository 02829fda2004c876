"""Lab 1: standalone KV storage and the raw KV API (TinyKV's project 1).

Format: see labs/README.md.
"""

LAB_1 = {
    "name": "1",
    "title": "Standalone storage and the raw KV API",
    "handout": "docs/lab1.md",
    "student_files": [
        "kv/storage/standalone_storage/standalone_storage.h",
        "kv/storage/standalone_storage/standalone_storage.cc",
        "kv/server/raw_api.cc",
    ],
    "includes": [],
    "tests": [
        {"target": "//kv/tests:standalone_storage_1_test", "points": 40, "scoring": "proportional"},
        {"target": "//kv/tests:raw_api_1_test", "points": 50, "scoring": "proportional"},
        {"target": "//grader/hidden/kv:raw_api_hidden_1_test", "points": 10, "scoring": "all_or_nothing", "hidden": True, "seeds": 5},
    ],
}
