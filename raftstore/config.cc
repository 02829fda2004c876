#include "raftstore/config.h"

#include <algorithm>

namespace raftstore {

Config Config::ForTests() {
  Config c;
  c.raft_base_tick_interval = 50'000;
  c.raft_heartbeat_ticks = 2;
  c.raft_election_timeout_ticks = 10;
  c.raft_log_gc_tick_interval = 50'000;
  c.raft_log_gc_count_limit = 128'000;
  return c;
}

Config Config::ForTests2C(uint64_t gc_count_limit) {
  Config c = ForTests();
  c.raft_log_gc_count_limit = gc_count_limit;
  c.snap_chunk_size = 16 << 10;
  return c;
}

int Config::RaftLogGcTicks() const {
  if (raft_base_tick_interval == 0) return 1;
  return static_cast<int>(
      std::max<runtime::Micros>(1, raft_log_gc_tick_interval / raft_base_tick_interval));
}

std::string Config::Validate() const {
  if (raft_base_tick_interval == 0) return "raft_base_tick_interval must be positive";
  if (raft_heartbeat_ticks <= 0) return "raft_heartbeat_ticks must be positive";
  if (raft_election_timeout_ticks <= raft_heartbeat_ticks) {
    return "raft_election_timeout_ticks must exceed raft_heartbeat_ticks";
  }
  if (raft_log_gc_count_limit == 0) return "raft_log_gc_count_limit must be positive";
  if (snap_chunk_size == 0) return "snap_chunk_size must be positive";
  return "";
}

}  // namespace raftstore
