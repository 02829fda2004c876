#!/usr/bin/env bash
# Writes compile_commands.json at the kit root, so that an editor (VS Code with clangd, CLion)
# resolves every include of the kit: from Bazel's own compile actions (bazel aquery), with the
# generated protobuf headers and external repositories at their real paths.
#   scripts/compdb.sh                     # the student build (what you edit)
#   scripts/compdb.sh --config=reference  # the reference build (instructors)
#   scripts/compdb.sh --output DIR        # write DIR/compile_commands.json instead
# Run it again after adding a file or a BUILD dependency.
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 scripts/compdb.py "$@"
