#pragma once

// A Storage that keeps everything in memory: what Raft's unit tests persist to, and the
// model of how a real storage behaves (compaction, snapshots) for students to read.

#include <cstdint>
#include <vector>

#include "proto/eraftpb.pb.h"
#include "raft/storage.h"

namespace raft {

class MemoryStorage : public Storage {
 public:
  // An empty storage: a dummy entry at index 0, term 0; FirstIndex() == 1.
  MemoryStorage();

  Result<InitialStateResult> InitialState() override;
  Result<std::vector<eraftpb::Entry>> Entries(uint64_t lo, uint64_t hi) override;
  Result<uint64_t> Term(uint64_t i) override;
  Result<uint64_t> LastIndex() override;
  Result<uint64_t> FirstIndex() override;
  Result<eraftpb::Snapshot> Snapshot() override;

  void SetHardState(const eraftpb::HardState& hs);

  // Replaces everything with the snapshot's state. ErrSnapOutOfDate if it is older than the
  // snapshot already held.
  Error ApplySnapshot(const eraftpb::Snapshot& snap);

  // Makes a snapshot at index i (which must be <= LastIndex()) with the given membership and
  // data; it becomes what Snapshot() returns. ErrSnapOutOfDate if i is older than the current
  // snapshot. Does not drop any entries: call Compact for that.
  Result<eraftpb::Snapshot> CreateSnapshot(uint64_t i, const eraftpb::ConfState* cs,
                                           const std::string& data);

  // Drops the entries before compact_index; entry compact_index becomes the new dummy entry
  // (its term is kept for Term()). ErrCompacted if already compacted that far; compacting
  // beyond LastIndex() is an ErrUnavailable.
  Error Compact(uint64_t compact_index);

  // Appends entries, overwriting any existing entries from the first new index on. Entries
  // that are already compacted are skipped. ErrUnavailable if the new entries would leave a
  // gap after LastIndex().
  Error Append(const std::vector<eraftpb::Entry>& entries);

 private:
  uint64_t firstIndex() const;
  uint64_t lastIndex() const;

  eraftpb::HardState hard_state_;
  eraftpb::Snapshot snapshot_;
  // ents_[0] is a dummy entry holding the index and term of the last compacted entry.
  std::vector<eraftpb::Entry> ents_;
};

}  // namespace raft
