#pragma once

// Ticker: which periodic jobs of a peer are due (TinyKV's ticker.go). The store's clock ticks
// every peer once per base tick (Config::raft_base_tick_interval); a peer schedules each of
// its jobs for some number of ticks ahead and, on each tick, asks which are due. A job runs
// only if it was scheduled, so a job that wants to run again reschedules itself.

#include <array>
#include <cstdint>

#include "raftstore/config.h"

namespace raftstore {

enum class PeerTick {
  // RawNode::Tick: elections and heartbeats. Every base tick.
  kRaft = 0,
  // Raft log GC: propose CompactLog when the log is long (2C).
  kRaftLogGc = 1,
};

class Ticker {
 public:
  explicit Ticker(const Config& cfg);

  // One base tick has passed.
  void TickClock();
  // Whether `tick` was scheduled to run at the current tick.
  bool IsOnTick(PeerTick tick) const;
  // Schedules `tick` to run once its interval has passed.
  void Schedule(PeerTick tick);

 private:
  static constexpr size_t kTicks = 2;
  int64_t clock_ = 0;
  // Ticks between runs of each job, and the tick it runs at next (-1: not scheduled).
  std::array<int64_t, kTicks> interval_{};
  std::array<int64_t, kTicks> run_at_{};
};

}  // namespace raftstore
