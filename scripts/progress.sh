#!/usr/bin/env bash
# How far am I? Runs the public suites of every lab (or of the labs named) on your code, in
# this tree, and prints one table: cases passed, points by the public rubric, the slowest
# case, and the first failing case with the command that replays it.
#   scripts/progress.sh          # every lab
#   scripts/progress.sh 2aa      # one lab (2a = 2aa, 2ab and 2ac)
# It is the grader's public-only mode (scripts/grade.sh grade --public-only) run in place.
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 -m grader.progress "$@"
