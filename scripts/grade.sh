#!/usr/bin/env bash
# The grader's entry point: scripts/grade.sh grade --lab 2a SUBMISSION, scripts/grade.sh batch
# --lab 2a SUBMISSIONS_DIR --out OUT, scripts/grade.sh labs. See docs/instructor.md.
# Paths given to it are relative to where it is run from.
set -euo pipefail
KIT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-/usr/bin/python3}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
PYTHONPATH="$KIT${PYTHONPATH:+:$PYTHONPATH}" exec "$PYTHON" -m grader "$@"
