#pragma once

// Small helpers for the public suites' whole-cluster scenarios on raft::sim::Cluster.

#include <cstdint>

#include "raft/sim/cluster.h"
#include "testutil/seed.h"

namespace raft::test {

// The options of a public scenario's cluster: election 10, heartbeat 1, a reliable network,
// and the command that replays the running test printed with any failure.
inline sim::ClusterOptions ClusterFor(size_t nodes, sim::Driver driver, uint64_t seed) {
  sim::ClusterOptions o;
  o.size = nodes;
  o.driver = driver;
  o.seed = seed;
  o.election_tick = 10;
  o.heartbeat_tick = 1;
  o.replay = testutil::ReplayCommand();
  return o;
}

// True when there is a leader and every running node is at its term and follows it.
inline bool Converged(const sim::Cluster& c) {
  const uint64_t leader = c.Leader();
  if (leader == 0) return false;
  const uint64_t term = c.Status(leader).term;
  for (uint64_t id : c.ids()) {
    const sim::NodeStatus s = c.Status(id);
    if (s.up && (s.term != term || s.lead != leader)) return false;
  }
  return true;
}

}  // namespace raft::test
