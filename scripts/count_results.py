#!/usr/bin/env python3
"""Counts gtest cases in the test.xml files of every test target and prints the summary
line CI reads: "N passed, N failed"."""
import argparse
import pathlib
import subprocess
import sys
import xml.etree.ElementTree as ET


def test_targets():
    """Every test target `bazel test //...` runs (not those tagged manual), or None when Bazel
    cannot even load the workspace."""
    query = 'tests(//...) except attr("tags", "\\bmanual\\b", tests(//...))'
    out = subprocess.run(["bazel", "query", query], capture_output=True, text=True)
    if out.returncode != 0:
        print(out.stderr.strip()[-2000:])
        return None
    return [line for line in out.stdout.split() if line.startswith("//")]


def xmls_for(target):
    """The target's test.xml files: one, or one per shard for a sharded test."""
    package, name = target[2:].split(":")
    base = pathlib.Path("bazel-testlogs") / package / name
    shards = sorted(base.glob("shard_*_of_*/test.xml"))
    return shards or [base / "test.xml"]


def count(path):
    """(passed, failed) test cases in one target's log; a missing or broken log is one failure."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return 0, 1
    passed = failed = 0
    for case in root.iter("testcase"):
        if case.get("status") == "notrun":
            continue
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        else:
            passed += 1
    if passed == 0 and failed == 0:
        # A target that crashed before gtest wrote its cases.
        failures = int(root.get("failures", "0")) + int(root.get("errors", "0"))
        return (0, 1) if failures else (1, 0)
    return passed, failed


def count_sanitized(testlogs):
    """(passed, failed) cases of the sanitizer pass: every test.xml under its testlogs folder,
    each case counted again (the same case under the sanitizers is a check of its own)."""
    passed = failed = 0
    if not testlogs:
        return 0, 0
    for xml in sorted(pathlib.Path(testlogs).glob("**/test.xml")):
        p, f = count(xml)
        if f:
            d = xml.parent.parent if xml.parent.name.startswith("shard_") else xml.parent
            rel = d.relative_to(testlogs)
            print(f"FAILED under the sanitizers: //{rel.parent}:{rel.name}")
        passed, failed = passed + p, failed + f
    return passed, failed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--student-build-status", type=int, default=0)
    parser.add_argument("--bazel-status", type=int, default=0)
    parser.add_argument("--extra-xml", action="append", default=[],
                        help="a JUnit file of a check run outside Bazel (e.g. scripts/clangd_check.sh); repeatable")
    parser.add_argument("--sanitizer-testlogs", help="the sanitizer pass's testlogs folder (scripts/sanitize.sh)")
    parser.add_argument("--sanitizer-status", type=int, help="the sanitizer pass's exit status")
    args = parser.parse_args()
    passed = failed = 0
    targets = test_targets()
    if targets is None:
        print("FAILED: bazel query tests(//...): the workspace does not load (see above)")
        print("0 passed, 1 failed")
        return 1
    for target in targets:
        p = f = 0
        for xml in xmls_for(target):
            dp, df = count(xml)
            p, f = p + dp, f + df
        if f:
            print(f"FAILED: {target}")
        passed, failed = passed + p, failed + f
    for xml in args.extra_xml:
        p, f = count(xml)
        if f:
            print(f"FAILED: {xml} ({f} failed)")
        passed, failed = passed + p, failed + f
    if args.sanitizer_status is not None:
        p, f = count_sanitized(args.sanitizer_testlogs)
        if args.sanitizer_status != 0 and f == 0:
            print(f"FAILED: the sanitizer pass exited with status {args.sanitizer_status} (see /tmp/tinykv-sanitizers.log)")
            f = 1
        passed, failed = passed + p, failed + f
    if args.student_build_status != 0:
        print("FAILED: the student build (bazel build //...) does not compile; see /tmp/tinykv-student-build.log")
        failed += 1
    else:
        passed += 1
    if args.bazel_status not in (0, 3) and failed == 0:
        print(f"FAILED: bazel test exited with status {args.bazel_status}")
        failed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
