#pragma once

// The interface through which Raft reads what has been persisted. MemoryStorage implements
// it for tests; raftstore's PeerStorage implements it on RocksDB (2B/2C).

#include <cstdint>
#include <vector>

#include "proto/eraftpb.pb.h"
#include "raft/errors.h"

namespace raft {

struct InitialStateResult {
  eraftpb::HardState hard_state;
  eraftpb::ConfState conf_state;
};

class Storage {
 public:
  virtual ~Storage() = default;

  // The persisted HardState and membership, read when a node starts.
  virtual Result<InitialStateResult> InitialState() = 0;

  // Entries with index in [lo, hi). ErrCompacted if lo <= the last compacted index;
  // a storage may return ErrUnavailable if hi > LastIndex() + 1.
  virtual Result<std::vector<eraftpb::Entry>> Entries(uint64_t lo, uint64_t hi) = 0;

  // The term of entry i. Answers for FirstIndex()-1 too (the compacted entry's term is kept);
  // ErrCompacted below that, ErrUnavailable above LastIndex().
  virtual Result<uint64_t> Term(uint64_t i) = 0;

  // The index of the last entry in storage.
  virtual Result<uint64_t> LastIndex() = 0;

  // The index of the first entry that may still be read with Entries (older ones were
  // compacted into a snapshot). A fresh storage answers 1.
  virtual Result<uint64_t> FirstIndex() = 0;

  // The most recent snapshot. A storage that builds snapshots asynchronously answers
  // ErrSnapshotTemporarilyUnavailable until one is ready (2C).
  virtual Result<eraftpb::Snapshot> Snapshot() = 0;
};

}  // namespace raft
