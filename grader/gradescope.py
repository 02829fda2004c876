"""Packages the kit as a Gradescope autograder: a zip with setup.sh and run_autograder at its
root and the kit beside them (Gradescope unpacks it into /autograder/source).

The zip holds the hidden suites (they must run) but not reference/ or the self-test: the
container runs student code, which could read whatever the zip holds.
"""

import os
import stat
import tempfile
import zipfile

from grader import release

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image.
set -euo pipefail
cd /autograder/source
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
bash scripts/setup.sh
# Warm Bazel up by grading the untouched stubs once: the framework and the tests are then
# compiled (disk cache and output base), and a submission rebuilds only its own files.
scripts/grade.sh grade --lab {lab} . --student warmup --out /tmp/warmup {flags} >/dev/null || true
rm -rf /tmp/warmup
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission; it must always write results.json.
cd /autograder/source
exec scripts/grade.sh gradescope --lab {lab} {flags}
"""


def package(kit, lab, out_zip, flags=""):
    """Writes the autograder zip for `lab`; returns the number of kit files in it."""
    from grader import manifest

    manifest.load_manifests(kit).get(lab)  # fail early on an unknown lab
    with tempfile.TemporaryDirectory() as stage:
        release.kit_snapshot(kit, stage)
        files = []
        for dirpath, dirnames, filenames in os.walk(stage):
            for name in filenames:
                rel = os.path.relpath(os.path.join(dirpath, name), stage).replace(os.sep, "/")
                if rel.startswith(("reference/", "grader/selftest/", "scratch/")) or rel == "scripts/grader_selftest.sh":
                    continue
                files.append(rel)
        tmp = out_zip + ".tmp"
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
            for name, text in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER)):
                info = zipfile.ZipInfo(name)
                info.external_attr = (stat.S_IFREG | 0o755) << 16
                z.writestr(info, text.format(lab=lab, flags=flags))
            for rel in sorted(files):
                z.write(os.path.join(stage, rel), rel)
        os.replace(tmp, out_zip)
    return len(files)
