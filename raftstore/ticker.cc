#include "raftstore/ticker.h"

namespace raftstore {

Ticker::Ticker(const Config& cfg) {
  interval_[static_cast<size_t>(PeerTick::kRaft)] = 1;
  interval_[static_cast<size_t>(PeerTick::kRaftLogGc)] = cfg.RaftLogGcTicks();
  run_at_.fill(-1);
}

void Ticker::TickClock() { ++clock_; }

bool Ticker::IsOnTick(PeerTick tick) const { return run_at_[static_cast<size_t>(tick)] == clock_; }

void Ticker::Schedule(PeerTick tick) {
  const size_t i = static_cast<size_t>(tick);
  run_at_[i] = clock_ + interval_[i];
}

}  // namespace raftstore
