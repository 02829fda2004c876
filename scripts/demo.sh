#!/usr/bin/env bash
# Sets up the machine, then runs the demo: a Raft in a simulated 5-node cluster that elects a
# leader, replicates, loses a follower to a partition, compacts its log and brings the follower
# back with a snapshot (docs/demo.md); then part 2, the raftstore (5 stores on RocksDB)
# writing with log GC, a store cut off and brought back by a snapshot, with figures. Exits
# non-zero if that story did not happen. Extra arguments go to both demos:
# bash scripts/demo.sh --seed=7
#
# In the instructor's kit the demos run the reference implementation (--config=reference).
# A student release has no reference: there they run on the student's own code, and stop, saying
# where, at the first step that code cannot do yet.
# bash scripts/demo.sh --live: the live cluster instead (docs/live.md): 5 tinykv-server
# processes on loopback, one killed with SIGKILL and brought back by a snapshot over gRPC.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
config=()
if [ -d reference ]; then
  config=(--config=reference)
else
  echo "demo: this is the student release, which has no reference solutions: the demos run on"
  echo "demo: YOUR code. Part 1 needs your Raft (lab 2A), part 2 your raftstore (labs 2B, 2C)."
  echo
fi
if [ "${1:-}" = "--live" ]; then
  exec bazel run "${config[@]}" --ui_event_filters=-info //server:live_demo
fi
status=0
bazel run "${config[@]}" --ui_event_filters=-info //demo:raft_demo -- "$@" || status=$?
if [ $status -ne 0 ] && [ ${#config[@]} -eq 0 ]; then
  echo
  echo "demo: part 1 stopped (your Raft is not finished yet): see what it says above."
  echo "demo: part 2 needs a working Raft too, so it is skipped. Run: bazel test //labs:2a"
  exit $status
fi
echo
# Part 2: the raftstore on the same story, with log GC and a snapshot over the network.
bazel run "${config[@]}" --ui_event_filters=-info //demo:raftstore_demo -- "$@" || status=$?
exit $status
