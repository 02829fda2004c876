#!/usr/bin/env python3
"""Checks that an editor understands every student file, the way a student's editor will:
writes compile_commands.json with scripts/compdb.py (the student build), then runs Debian's
clangd in check mode (`clangd --check=FILE`) on every student file of every lab (the lab
manifests list them). A file fails when clangd reports any error (an unresolved include is
one) or finds no compile command for it and falls back to a guess.

Run by scripts/test.sh after the Bazel tests (a Bazel test cannot run Bazel itself); its
results are one JUnit case per file, counted in the "N passed, N failed" line.
"""

import argparse
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

KIT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, KIT_ROOT)

from grader import manifest  # noqa: E402  (the kit's grader reads the lab manifests)

# clangd --check logs each error diagnostic as `E[time] [code] Line N: message`.
_ERROR = re.compile(r"^E\[[^\]]*\] (.*)$")
_SUMMARY = re.compile(r"All checks completed, (\d+) errors")


def check_file(clangd, cdb_dir, kit, rel, timeout):
    """(ok, problems, seconds) for one file."""
    start = time.monotonic()
    # --check-lines=1: the feature tests clangd would otherwise run at every token (hover,
    # go-to-definition) cost time and say nothing about includes or errors; the whole file is
    # still parsed and diagnosed.
    argv = [clangd, f"--check={os.path.join(kit, rel)}", "--check-lines=1", f"--compile-commands-dir={cdb_dir}"]
    try:
        r = subprocess.run(argv, cwd=kit, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return False, [f"clangd did not finish within {timeout} s"], time.monotonic() - start
    out = r.stderr + r.stdout
    problems = [m.group(1) for m in map(_ERROR.match, out.splitlines()) if m]
    summary = _SUMMARY.search(out)
    if "Generic fallback command" in out or "Failed to find compilation database" in out:
        problems.append("no compile command for this file in compile_commands.json (clangd fell back to a guess)")
    if summary is None:
        problems.append(f"clangd did not complete its check (exit {r.returncode}); last output: "
                        + " | ".join(out.strip().splitlines()[-5:]))
    elif int(summary.group(1)) and not problems:
        problems.append(f"clangd reported {summary.group(1)} errors")
    return not problems, problems, time.monotonic() - start


def junit(results, path):
    suite = ET.Element("testsuite", name="ClangdCheck", tests=str(len(results)),
                       failures=str(sum(1 for r in results if not r[1])))
    for rel, ok, problems, seconds in results:
        case = ET.SubElement(suite, "testcase", name=rel, classname="ClangdCheck", time=f"{seconds:.2f}")
        if not ok:
            ET.SubElement(case, "failure", message=problems[0]).text = "\n".join(problems)
    root = ET.Element("testsuites")
    root.append(suite)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def main(argv=None):
    p = argparse.ArgumentParser(prog="scripts/clangd_check.sh", description=__doc__.split("\n\n")[0])
    p.add_argument("--junit", help="write one JUnit case per file here (scripts/test.sh counts them)")
    p.add_argument("--clangd", default="clangd")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--timeout", type=int, default=300, help="seconds per file")
    p.add_argument("--compdb-dir", help="check this compile_commands.json folder instead of writing a fresh one")
    p.add_argument("--config", action="append", default=[],
                   help="a Bazel --config for compdb.sh; with reference, the default files are the reference's")
    p.add_argument("files", nargs="*", help="files to check (default: every student file of every lab)")
    a = p.parse_args(argv)
    kit = KIT_ROOT
    if shutil.which(a.clangd) is None:
        print(f"clangd-check: {a.clangd} is not installed (Debian's clangd package; scripts/setup.sh installs it)")
        return 1
    files = a.files or manifest.load_manifests(kit).all_student_files()
    if not a.files and "reference" in a.config:
        files = ["reference/" + f for f in files]
    tmp = None
    cdb_dir = a.compdb_dir
    if cdb_dir is None:
        # The same generator a student runs (scripts/compdb.sh), into a scratch folder so the
        # kit's own compile_commands.json (perhaps --config=reference) is left alone.
        tmp = cdb_dir = tempfile.mkdtemp(prefix="tinykv-clangd-check-")
        configs = [f"--config={c}" for c in a.config]
        r = subprocess.run([sys.executable, os.path.join(kit, "scripts", "compdb.py"), "--output", cdb_dir, *configs], cwd=kit)
        if r.returncode != 0:
            results = [(rel, False, ["scripts/compdb.sh failed: no compile_commands.json to check"], 0.0) for rel in files]
            if a.junit:
                junit(results, a.junit)
            print(f"clangd-check: scripts/compdb.sh failed; {len(files)} files not checked")
            return 1
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
            futures = [pool.submit(check_file, a.clangd, cdb_dir, kit, rel, a.timeout) for rel in files]
            results = [(rel, *f.result()) for rel, f in zip(files, futures)]
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    failed = [r for r in results if not r[1]]
    for rel, ok, problems, seconds in results:
        print(f"clangd-check: {'ok    ' if ok else 'FAILED'} {rel} ({seconds:.1f} s)")
        for pr in problems[:10]:
            print(f"    {pr}")
    if a.junit:
        junit(results, a.junit)
    print(f"clangd-check: {len(results) - len(failed)} of {len(results)} student files clean in clangd")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
