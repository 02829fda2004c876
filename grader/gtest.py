"""Reads what one run of a gtest target left behind: Bazel's test.xml and test.log.

gtest writes test.xml when all its tests ran. When the binary dies first (a crash, a
timeout), Bazel writes a test.xml of its own with one case named after the target, and only
the log says which cases finished and which one was running; the runner then reruns the rest.
"""

import re
import xml.etree.ElementTree as ET

# Beyond this a test.xml is not parsed (a flood of failure messages); the log is used instead.
MAX_XML_BYTES = 32 * 1024 * 1024
MAX_MESSAGE = 3000

_RUN = re.compile(r"^\[ RUN      \] (\S+)\s*$")
_END = re.compile(r"^\[ +(OK|FAILED|SKIPPED) +\] (\S+?)(?: \(\d+ ms\))?\s*$")
_LIST_SUITE = re.compile(r"^([A-Za-z0-9_/]+)\.(?:\s+#.*)?$")
_LIST_CASE = re.compile(r"^  ([A-Za-z0-9_/]+)(?:\s+#.*)?$")


class CaseResult:
    """One test case in one run: passed, or failed with why (kind) and what was seen."""

    # kind: "failed" (an assertion), "crashed", "timeout", "not_run", "skipped", "exit"
    def __init__(self, name, passed, kind="", message=""):
        self.name = name
        self.passed = passed
        self.kind = kind
        self.message = message
        self.timeline = None  # the failure's page, relative to the report folder (timelines.py)

    def __repr__(self):
        return f"CaseResult({self.name}, {'pass' if self.passed else self.kind})"


def _clip(text, limit=MAX_MESSAGE):
    text = (text or "").strip()
    return text if len(text) <= limit else text[: limit - 30] + "\n[... cut by the grader ...]"


def parse_xml(path):
    """(is_gtest, {case: CaseResult}) from a test.xml; is_gtest is False for the XML Bazel
    makes up when the binary did not write one, or for a missing/broken/oversized file."""
    try:
        import os

        if os.path.getsize(path) > MAX_XML_BYTES:
            return False, {}
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return False, {}
    cases = {}
    gtest = False
    for case in root.iter("testcase"):
        classname = case.get("classname")
        if classname is None:
            continue  # Bazel's stand-in case, named after the target
        gtest = True
        if case.get("status") == "notrun" or case.get("result") == "suppressed":
            continue  # DISABLED_ tests are not graded
        name = f"{classname}.{case.get('name')}"
        failures = case.findall("failure") + case.findall("error")
        if failures:
            msg = "\n".join((f.text or f.get("message") or "").strip() for f in failures)
            cases[name] = CaseResult(name, False, "failed", _clip(msg))
        elif case.get("result") == "skipped" or case.find("skipped") is not None:
            # A skip is not a pass: code under test could otherwise skip its own tests.
            cases[name] = CaseResult(name, False, "skipped", "the test was skipped")
        else:
            cases[name] = CaseResult(name, True)
    if not gtest and root.tag in ("testsuites", "testsuite") and root.get("name") == "AllTests":
        gtest = True  # a gtest binary with no cases at all
    return gtest, cases


def parse_log(text):
    """What a gtest log says: ({case: CaseResult} for cases that finished, the case that was
    running when the log ends or None, and the log lines of that unfinished case)."""
    done = {}
    running = None
    running_lines = []
    for line in text.splitlines():
        m = _RUN.match(line)
        if m:
            running, running_lines = m.group(1), []
            continue
        m = _END.match(line)
        if m and (m.group(2) == running or running is None):
            status, name = m.group(1), m.group(2)
            if name not in done:
                if status == "OK":
                    done[name] = CaseResult(name, True)
                elif status == "SKIPPED":
                    done[name] = CaseResult(name, False, "skipped", "the test was skipped")
                else:
                    done[name] = CaseResult(name, False, "failed", _clip("\n".join(running_lines[-60:])))
            running, running_lines = None, []
            continue
        if running is not None:
            running_lines.append(line)
    return done, running, running_lines


def parse_test_list(text):
    """Case names from `--gtest_list_tests` output (parameterized names included)."""
    names, suite = [], None
    for line in text.splitlines():
        m = _LIST_SUITE.match(line)
        if m:
            suite = m.group(1)
            continue
        m = _LIST_CASE.match(line)
        if m and suite:
            names.append(f"{suite}.{m.group(1)}")
    return names


def exclusion_filter(names):
    """A --gtest_filter that runs everything except `names`."""
    return "-" + ":".join(sorted(names)) if names else "*"
