#!/usr/bin/env bash
# What grading one submission costs on an autograder warmed like Gradescope's (grader/budget.py):
# scripts/grade_budget.sh --lab 2c --cpus 0 --out /tmp/budget-2c-1 reference
# See docs/instructor.md, "Grading budget (Gradescope)".
set -euo pipefail
KIT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-/usr/bin/python3}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
PYTHONPATH="$KIT${PYTHONPATH:+:$PYTHONPATH}" exec "$PYTHON" -m grader.budget "$@"
