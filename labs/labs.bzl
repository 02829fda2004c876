"""Every lab manifest, and the macro that turns them into the test suites students run."""

load("//labs:lab_1.bzl", "LAB_1")
load("//labs:lab_2a.bzl", "LAB_2A", "LAB_2AA", "LAB_2AB", "LAB_2AC")
load("//labs:lab_2b.bzl", "LAB_2B")
load("//labs:lab_2c.bzl", "LAB_2C")

LABS = [LAB_1, LAB_2AA, LAB_2AB, LAB_2AC, LAB_2A, LAB_2B, LAB_2C]

def _public_tests(lab, by_name):
    """The lab's own public tests, then those of every lab it includes, transitively.

    Starlark has no recursion, so the includes are walked with an explicit work list; a lab
    visits each lab at most once and pops at most labs² names, which bounds the loop.
    """
    tests = []
    seen = {}
    pending = [lab["name"]]
    for _ in range(len(by_name) * len(by_name)):
        if not pending:
            break
        name = pending.pop(0)
        if name in seen:
            continue
        seen[name] = True
        tests += [t["target"] for t in by_name[name]["tests"] if not t.get("hidden", False)]
        pending += by_name[name]["includes"]
    return tests

def lab_test_suites():
    """One test_suite per lab (e.g. //labs:2aa) holding its public tests and its includes'."""
    by_name = {lab["name"]: lab for lab in LABS}
    for lab in LABS:
        native.test_suite(
            name = lab["name"],
            tests = _public_tests(lab, by_name),
        )
