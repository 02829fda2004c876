#!/usr/bin/env bash
# The soak: every simulated scenario on the reference over consecutive seeds, at the lowest
# CPU priority, appending to soak/ledger.tsv (see soak/README.md and docs/instructor.md).
#   scripts/soak.sh --jobs 1 --until 18:00     run (resumes where the ledger ends)
#   scripts/soak.sh --status                   where each scenario stands
set -euo pipefail
KIT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec nice -n 19 python3 "$KIT/soak/soak.py" "$@"
