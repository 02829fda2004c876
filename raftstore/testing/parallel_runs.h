#pragma once

// Runs independent GenericTest runs in `jobs` worker processes (fork), for the stress
// command: a simulated run is single-threaded and shares nothing, so on a machine with more
// cores the seeds of a scenario go that many times faster. Every run stays exactly what it
// would be alone (its seed fixes it). A worker that dies (a crash, a signal) fails the runs it
// had not reported, with the reason; it never takes the others down.

#include <cstdint>
#include <string>
#include <vector>

#include "raftstore/testing/generic_test.h"

namespace raftstore::testing {

struct RunOutcome {
  bool ok = false;
  // The failure message (empty when ok).
  std::string message;
  double wall_seconds = 0;
  // CPU time (user + system, every thread of the process: RocksDB's background flushes
  // included) the run took; unlike wall time it does not grow when the machine is busy.
  double cpu_seconds = 0;
  uint64_t events = 0;
  uint64_t ops = 0;
};

// The outcome of every run, in the order of `runs`. jobs <= 1 runs them in this process.
std::vector<RunOutcome> RunInParallel(const std::vector<GenericTestOptions>& runs, int jobs);

}  // namespace raftstore::testing
