#!/usr/bin/env bash
# Sets up the machine, then runs the demo: the reference Raft in a simulated 5-node cluster
# that elects a leader, replicates, loses a follower to a partition, compacts its log and
# brings the follower back with a snapshot (docs/demo.md). Exits non-zero if that story did
# not happen; then part 2, the raftstore (5 stores on RocksDB) writing with log GC, a store cut
# off and brought back by a snapshot, with figures. Extra arguments go to both demos:
# bash scripts/demo.sh --seed=7
#
# bash scripts/demo.sh --live: the live cluster instead (docs/live.md): 5 tinykv-server
# processes on loopback, one killed with SIGKILL and brought back by a snapshot over gRPC.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ "${1:-}" = "--live" ]; then
  exec bazel run --config=reference --ui_event_filters=-info //server:live_demo
fi
bazel run --config=reference --ui_event_filters=-info //demo:raft_demo -- "$@"
echo
# Part 2: the raftstore on the same story, with log GC and a snapshot over the network.
exec bazel run --config=reference --ui_event_filters=-info //demo:raftstore_demo -- "$@"
