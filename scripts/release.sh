#!/usr/bin/env bash
# Cuts the student release into a new folder (a fresh git repository, one commit): the kit
# without reference/, grader/hidden/ and the grader's self-test. With --verify it also builds
# the release and checks that its public suites fail on the stubs and pass on the reference.
# The release's README.md is the student's own, generated from the lab manifests and
# grader/release_readme.md.in. In a release (no reference/) this script refuses: it is the
# instructor's tool.
#   scripts/release.sh /path/to/tinykv-student [--verify]
# See docs/instructor.md.
set -euo pipefail
KIT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-/usr/bin/python3}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
PYTHONPATH="$KIT${PYTHONPATH:+:$PYTHONPATH}" exec "$PYTHON" -m grader.release --kit "$KIT" "$@"
