#pragma once

// The second part of the demo: the reference raftstore (lab 2B + 2C) on a simulated 5-store
// cluster with RocksDB engines on an in-memory file system. Writes go through Raft; log GC
// keeps every store's log bounded; a follower is cut off while the others write on and
// compact past it; when the network heals it is brought back by a snapshot, sent in
// checksummed chunks. Figures are printed along the way. See docs/demo.md.

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace demo {

// One line of the "log kept against writes done" table.
struct LogFigure {
  uint64_t writes = 0;
  // Per store (index 0 = store 1): entries in the raft engine, and applied - truncated.
  std::vector<uint64_t> engine_entries;
  std::vector<uint64_t> uncompacted;
};

struct RaftstoreDemoResult {
  bool ok = false;
  std::string failure;
  uint64_t lagging_store = 0;
  uint64_t writes = 0;
  uint64_t snapshots_applied = 0;
  uint64_t snapshot_bytes = 0;
  uint64_t snapshot_chunks = 0;
  uint64_t catch_up_micros = 0;  // simulated
  double catch_up_wall_ms = 0;
  std::vector<LogFigure> figures;
};

struct RaftstoreDemoOptions {
  uint64_t seed = 2026;
  uint64_t gc_limit = 50;
  int writes_per_phase = 150;
};

RaftstoreDemoResult RunRaftstoreDemo(std::ostream& out, const RaftstoreDemoOptions& options = {});

}  // namespace demo
