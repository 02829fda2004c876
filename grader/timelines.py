"""Failure timelines in the reports: a failed case of a simulated cluster re-runs itself with
recording and leaves timeline.html (or timeline-<case>.html) in its target's undeclared
outputs, printing "[ TIMELINE ] <path> — open it in a browser" after the case (see
testutil/gtest_main.cc). The grader copies each page next to the report, where the next
`bazel test` cannot overwrite it, and report.txt links it. Hidden suites' pages stay out unless
asked for (--show-hidden-timelines): they draw the hidden scenario's every step."""

import os
import re
import shutil
import zipfile

from grader import util

_RUN = re.compile(r"^\[ RUN      \] (\S+)")
# "[ TIMELINE ] timeline.html in bazel-testlogs/.../outputs.zip — ..." (under Bazel) or
# "[ TIMELINE ] /path/timeline.html — ..." (outside it).
_TIMELINE = re.compile(r"^\[ TIMELINE \] (\S+\.html)")


def pages_in_log(log_text):
    """{case: page file name} from a test log: each [ TIMELINE ] line belongs to the case
    that ran last before it."""
    pages = {}
    case = None
    for line in (log_text or "").splitlines():
        m = _RUN.match(line)
        if m:
            case = m.group(1)
            continue
        m = _TIMELINE.match(line)
        if m and case is not None:
            pages[case] = os.path.basename(m.group(1))
    return pages


def outputs_dir(run_file):
    """bazel-testlogs/<target>/test.outputs for a run whose test.log or test.xml is
    `run_file`."""
    return os.path.join(os.path.dirname(run_file), "test.outputs")


def _read_page(outputs, name):
    path = os.path.join(outputs, name)
    if os.path.isfile(path):
        with open(path, "rb") as f:
            return f.read()
    zpath = os.path.join(outputs, "outputs.zip")  # Bazel may zip undeclared outputs
    if os.path.isfile(zpath):
        try:
            with zipfile.ZipFile(zpath) as z:
                return z.read(name)
        except (KeyError, zipfile.BadZipFile, OSError):
            return None
    return None


def collect(log_text, outputs, failed_cases, report_dir, target, seed):
    """Copies the page of every failed case (the names in `failed_cases`) out of `outputs`
    into <report_dir>/timelines/<target>/<case>-seed<seed>.html. Returns {case: path relative
    to report_dir}."""
    found = {}
    for case, name in pages_in_log(log_text).items():
        if case not in failed_cases:
            continue
        data = _read_page(outputs, name)
        if data is None:
            continue
        rel = os.path.join("timelines", util.safe_name(target), f"{util.safe_name(case)}-seed{seed}.html")
        dest = os.path.join(report_dir, rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest + ".tmp", "wb") as f:
            f.write(data)
        shutil.move(dest + ".tmp", dest)
        found[case] = rel
    return found
