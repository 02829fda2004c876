#pragma once

// The reference Raft in a simulated 5-node cluster, told as a timeline: a leader is elected,
// proposals replicate, a follower is cut off, the others compact their logs, the partition
// heals and the follower comes back through a snapshot. See docs/demo.md.

#include <cstdint>
#include <ostream>
#include <string>

namespace demo {

struct DemoResult {
  // True when the whole story happened and no safety property broke.
  bool ok = false;
  // What went wrong, when !ok.
  std::string failure;
  // Facts the story produced (for the test and the closing line).
  uint64_t lagging_node = 0;
  uint64_t snapshot_index = 0;
  uint64_t snapshots_sent = 0;
  uint64_t final_commit = 0;
  uint64_t writes = 0;
};

inline constexpr uint64_t kDemoSeed = 2026;

struct DemoOptions {
  uint64_t seed = kDemoSeed;
  // Also print every event of the run (each message delivered, lost, …) at the end.
  bool full_trace = false;
};

// Runs the scenario, writing the timeline to `out`.
DemoResult RunRaftDemo(std::ostream& out, const DemoOptions& options = {});

}  // namespace demo
