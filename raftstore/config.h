#pragma once

// The knobs of a store (TinyKV's config.Config, the part raftstore reads). Intervals are in
// microseconds of the runtime's clock: virtual in simulation, real in the demo server.

#include <cstdint>
#include <string>

#include "raftstore/runtime/runtime.h"

namespace raftstore {

struct Config {
  // Every peer's RawNode ticks once per base tick.
  runtime::Micros raft_base_tick_interval = 1'000'000;
  // A leader heartbeats every raft_heartbeat_ticks ticks.
  int raft_heartbeat_ticks = 2;
  // A follower without a leader campaigns after [election, 2 * election) ticks.
  int raft_election_timeout_ticks = 10;
  // How often a leader considers compacting its log (2C).
  runtime::Micros raft_log_gc_tick_interval = 10'000'000;
  // A leader proposes CompactLog once its log holds more than this many applied entries (2C).
  uint64_t raft_log_gc_count_limit = 128'000;
  // A snapshot's files travel to a follower's store in chunks of at most this many bytes (2C).
  uint64_t snap_chunk_size = 1 << 20;

  // TinyKV's NewDefaultConfig: the demo server's timing.
  static Config Default() { return Config{}; }
  // TinyKV's NewTestConfig: 50 ms ticks, so clusters elect and replicate quickly.
  static Config ForTests();
  // ForTests with log GC that really happens: a leader compacts once `gc_count_limit` applied
  // entries pile up, and snapshots travel in small chunks (the 2C scenarios).
  static Config ForTests2C(uint64_t gc_count_limit);

  // Ticks between two raft log GC checks (at least 1).
  int RaftLogGcTicks() const;

  // Empty when usable, otherwise what is wrong.
  std::string Validate() const;
};

}  // namespace raftstore
