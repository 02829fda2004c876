#!/usr/bin/env bash
# The soak: every simulated scenario on the reference over consecutive seeds, at the lowest
# CPU priority, appending to soak/ledger.tsv (see soak/README.md and docs/instructor.md).
#   scripts/soak.sh --jobs 1 --until 18:00     run (resumes where the ledger ends)
#   scripts/soak.sh --status                   where each scenario stands
set -euo pipefail
KIT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Debian's python3, as in grade.sh: a wrapper such as pyenv's changes PATH, which Bazel puts in
# every action's key, and the build would miss the cache that plain `bazel build` fills.
PYTHON="${PYTHON:-/usr/bin/python3}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
exec nice -n 19 "$PYTHON" "$KIT/soak/soak.py" "$@"
