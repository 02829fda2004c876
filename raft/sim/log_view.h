#pragma once

// LogView: what the safety checker knows of one node's persisted log — for every index, the
// entry's term and a hash of its payload, plus the compaction point. The cluster keeps one per
// node, updated whenever it persists a Ready (entries, snapshot) or compacts; tests build them
// by hand to feed the checker a broken cluster.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "proto/eraftpb.pb.h"

namespace raft::sim {

struct EntryId {
  uint64_t term = 0;
  uint64_t data_hash = 0;

  friend bool operator==(const EntryId&, const EntryId&) = default;
};

// The identity of a log entry as the checker compares it: term and payload.
EntryId IdOf(const eraftpb::Entry& e);

class LogView {
 public:
  // The index of entries()[0]; everything before it was compacted or replaced by a snapshot.
  uint64_t first() const { return first_; }
  // The last index held (first() - 1 when empty).
  uint64_t last() const { return first_ + entries_.size() - 1; }
  // Bumped on every change: the checker only re-compares logs that changed.
  uint64_t version() const { return version_; }
  const std::vector<EntryId>& entries() const { return entries_; }

  // The entry at index i, or nullptr if the log does not hold it.
  const EntryId* At(uint64_t i) const;
  // The term of entry i: known for held entries and for first() - 1 (the compaction point).
  std::optional<uint64_t> Term(uint64_t i) const;

  // Persists entries the way MemoryStorage::Append does: entries already compacted are
  // skipped, a conflicting suffix is replaced. Returns false (and changes nothing) if the
  // entries would leave a gap after last().
  bool Append(const std::vector<eraftpb::Entry>& ents);
  // Appends one entry by id at last() + 1 (for tests that build logs by hand).
  void Push(EntryId id);
  // Replaces the whole log with a snapshot's position (index, term).
  void Restore(uint64_t index, uint64_t term);
  // Drops the entries before `index`; `index` becomes the compaction point. No-op when
  // index < first() or index > last().
  void Compact(uint64_t index);

  // "[1@1 2@1 3@2]" (index@term), eliding the middle of long logs.
  std::string Describe(size_t max_entries = 12) const;

 private:
  uint64_t first_ = 1;
  uint64_t compacted_term_ = 0;  // term of entry first_ - 1
  std::vector<EntryId> entries_;
  uint64_t version_ = 0;
};

}  // namespace raft::sim
