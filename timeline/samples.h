#pragma once

// Recordings made up for the page's tests and bench: they exercise every kind of event the
// simulators record, without running a simulator.

#include <cstddef>

#include "timeline/recorder.h"

namespace timeline::samples {

// Three Raft nodes over 60 ticks: an election, replication, a partition that isolates the
// leader, a drop, a duplicate, a delayed message, a message still in flight at the end, marks
// and two clients. No failure.
Recorder SmallRun();

// A raftstore-like run of five stores over kBigRunSeconds of virtual time (microseconds) with
// `messages` messages (heartbeats, appends and their responses, votes, snapshots), partitions,
// a crash, 2C marks and client operations. Deterministic.
inline constexpr double kBigRunSeconds = 60;
Recorder BigRun(size_t messages = 300000);

// A deliberately broken run: five nodes, a partition {1,2} | {3,4,5}, node 2 votes twice, and
// nodes 1 and 4 both lead term 3; a read returns a stale value. Fails with "two leaders in
// term 3" at t = kBrokenFailureTime, naming lanes 1 and 4.
inline constexpr Time kBrokenFailureTime = 2400000;
Recorder BrokenRun();

}  // namespace timeline::samples
