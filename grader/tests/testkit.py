"""Fixtures for the grader's unit tests: a tiny kit on disk and a fake `bazel`."""

import json
import os
import shutil
import stat
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))

LAB_BZL = '''"""A lab for the tests."""

FILES = ["raft/raft.cc", "raft/raft.h"]

LAB_X = {
    "name": "x",
    "title": "Lab X",
    "handout": "docs/x.md",
    "student_files": FILES,
    "includes": [],
    "tests": [
        {"target": "//raft/tests:a_test", "points": 30, "scoring": "proportional"},
        {"target": "//grader/hidden/raft:h_test", "points": 10, "scoring": "all_or_nothing", "hidden": True, "seeds": 3},
    ],
}

LAB_Y = {
    "name": "y",
    "title": "Lab Y",
    "student_files": FILES + ["kv/kv.cc"],
    "includes": ["x"],
    "tests": [
        {"target": "//kv/tests:b_test", "points": 20},
    ],
}
'''

LABS_BZL = '''"""All labs."""

load("//labs:lab_x.bzl", "LAB_X", "LAB_Y")

LABS = [LAB_X, LAB_Y]

def lab_test_suites():
    for lab in LABS:
        native.test_suite(name = lab["name"], tests = [])
'''


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return path


def read(path):
    with open(path) as f:
        return f.read()


def make_kit(root):
    """A kit with two labs (y includes x), stubs, reference files and a hidden suite."""
    write(root, "WORKSPACE", "workspace(name = 'tinykv')\n")
    write(root, "labs/lab_x.bzl", LAB_BZL)
    write(root, "labs/labs.bzl", LABS_BZL)
    write(root, "labs/BUILD", "")
    write(root, "raft/raft.cc", "// stub raft.cc\n")
    write(root, "raft/raft.h", "// stub raft.h\n")
    write(root, "kv/kv.cc", "// stub kv.cc\n")
    write(root, "raft/tests/a_test.cc", "// public test\n")
    write(root, "reference/raft/raft.cc", "// reference raft.cc\n")
    write(root, "reference/raft/raft.h", "// reference raft.h\n")
    write(root, "grader/hidden/raft/h_test.cc", "// hidden test\n")
    write(root, "grader/selftest/patches/x.patch", "patch\n")
    return root


class TempDirTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="grader-test-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)


def fake_bazel(tmp, scenario):
    """Writes a scenario and an executable `bazel` that plays it; returns the binary's path."""
    sc_path = os.path.join(tmp, "scenario.json")
    with open(sc_path, "w") as f:
        json.dump(scenario, f)
    os.environ["FAKE_BAZEL_SCENARIO"] = sc_path
    binary = os.path.join(tmp, "bazel")
    # -S -E: the fake needs only the standard library, and without site-packages a start-up
    # costs half the CPU (the runner's tests start about 75 of them).
    with open(binary, "w") as f:
        f.write(f'#!/bin/sh\nexec "{sys.executable}" -S -E "{os.path.join(HERE, "fake_bazel.py")}" "$@"\n')
    os.chmod(binary, os.stat(binary).st_mode | stat.S_IEXEC)
    return binary


def command(call):
    """The Bazel command (build, test, shutdown) of a recorded call, after its startup options."""
    return next(a for a in call if not a.startswith("--"))


def calls(tmp):
    try:
        with open(os.path.join(tmp, "scenario.json.calls")) as f:
            return [json.loads(line) for line in f]
    except OSError:
        return []
