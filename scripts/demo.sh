#!/usr/bin/env bash
# Sets up the machine, then runs the demo: the reference Raft in a simulated 5-node cluster
# that elects a leader, replicates, loses a follower to a partition, compacts its log and
# brings the follower back with a snapshot (docs/demo.md). Exits non-zero if that story did
# not happen. Extra arguments go to the demo: bash scripts/demo.sh --seed=7 --trace
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec bazel run --config=reference --ui_event_filters=-info //demo:raft_demo -- "$@"
