#pragma once

// RaftLog: the log a Raft node works with — the entries in storage plus the ones not yet
// persisted. Student file (2A, 2C): fill in the methods marked "Your Code Here".
//
// The picture to keep in mind (indexes grow to the right):
//
//   snapshot/first.....applied....committed....stabled.....last
//   --------|------------------------------------------------|
//                             log entries
//
// Invariant: applied <= committed; committed <= last index; entries up to `stabled` are
// persisted in storage. Tests read the public fields below; add your own as you need.

#include <cstdint>
#include <vector>

#include "proto/eraftpb.pb.h"
#include "raft/errors.h"
#include "raft/storage.h"

namespace raft {

class RaftLog {
 public:
  // A log that starts from what storage holds: committed and applied at the storage's
  // first index - 1, stabled at its last index, `entries` holding storage's entries.
  explicit RaftLog(Storage* storage);

  // Every entry the log still has, persisted or not (not the compacted ones).
  std::vector<eraftpb::Entry> allEntries() const;

  // The entries not yet persisted (index > stabled).
  std::vector<eraftpb::Entry> unstableEntries() const;

  // The committed entries not yet applied (applied < index <= committed).
  std::vector<eraftpb::Entry> nextEnts() const;

  // The index of the last entry (or of the pending snapshot, or storage's last index).
  uint64_t LastIndex() const;

  // The term of entry i. ErrCompacted if i is older than the log keeps, ErrUnavailable if
  // i is beyond LastIndex().
  Result<uint64_t> Term(uint64_t i) const;

  // Drops the in-memory entries that storage has compacted away (2C).
  void maybeCompact();

  // Not owned: the storage the log was read from (and that the application persists to).
  Storage* storage = nullptr;
  // The highest index known to be committed (on a quorum's stable storage).
  uint64_t committed = 0;
  // The highest index the application has applied. applied <= committed.
  uint64_t applied = 0;
  // Entries up to and including this index are persisted in storage.
  uint64_t stabled = 0;
  // The entries not compacted yet.
  std::vector<eraftpb::Entry> entries;
  // A snapshot received from the leader and not yet handed to the application (2C).
  eraftpb::Snapshot pending_snapshot;

  // Your Code Here (2A). Add any fields and helpers you need below.
};

}  // namespace raft
