#!/usr/bin/env bash
# Does an editor understand the student files? Writes compile_commands.json the way
# scripts/compdb.sh does (into a scratch folder) and runs clangd --check on every student file
# of every lab: any error (an unresolved include is one) fails. scripts/test.sh runs it.
#   scripts/clangd_check.sh                     # every student file
#   scripts/clangd_check.sh raft/raft.cc        # some
#   scripts/clangd_check.sh --config=reference  # the reference files, in the reference build
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 scripts/clangd_check.py "$@"
