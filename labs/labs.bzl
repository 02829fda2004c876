"""Every lab manifest, and the macro that turns them into the test suites students run."""

load("//labs:lab_2a.bzl", "LAB_2A", "LAB_2AA", "LAB_2AB", "LAB_2AC")
load("//labs:lab_2c.bzl", "LAB_2C")

LABS = [LAB_2AA, LAB_2AB, LAB_2AC, LAB_2A, LAB_2C]

def _public_tests(lab, by_name):
    tests = [t["target"] for t in lab["tests"] if not t.get("hidden", False)]
    for name in lab["includes"]:
        tests += _public_tests(by_name[name], by_name)
    return tests

def lab_test_suites():
    """One test_suite per lab (e.g. //labs:2aa) holding its public tests and its includes'."""
    by_name = {lab["name"]: lab for lab in LABS}
    for lab in LABS:
        native.test_suite(
            name = lab["name"],
            tests = _public_tests(lab, by_name),
        )
