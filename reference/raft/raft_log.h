#pragma once

// RaftLog: the log a Raft node works with — the entries in storage plus the ones not yet
// persisted. Reference version of the student file raft/raft_log.h.
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

  // The index of entries[0]; entries before it were compacted (or replaced by a snapshot).
  uint64_t first_index = 1;

  // The entries in [lo, hi); both bounds must lie within [first_index, LastIndex() + 1].
  std::vector<eraftpb::Entry> slice(uint64_t lo, uint64_t hi) const;
  // The term of the last entry.
  uint64_t LastTerm() const;
  // Whether a log ending at (last_term, last_index) is at least as up to date as this one
  // (Raft paper §5.4.1: compare last terms, then lengths).
  bool isUpToDate(uint64_t last_term, uint64_t last_index) const;
  // Appends entries from a leader that follow the entry at index `prev`: entries that are
  // already there with the same term are kept, the first conflicting one and everything
  // after it are replaced. Returns the index of the last new entry.
  uint64_t appendFromLeader(uint64_t prev, const std::vector<eraftpb::Entry>& ents);
  // The same, straight from a MsgAppend's entries (no intermediate copy).
  uint64_t appendFromLeader(uint64_t prev,
                            const google::protobuf::RepeatedPtrField<eraftpb::Entry>& ents);
  // The same, taking the new entries out of a message the caller gives up (no payload copy).
  uint64_t appendFromLeader(uint64_t prev,
                            google::protobuf::RepeatedPtrField<eraftpb::Entry>&& ents);
  // Appends entries that continue the log (a leader's own proposals).
  void append(const std::vector<eraftpb::Entry>& ents);
  // Replaces the whole log with a snapshot's position; the snapshot becomes pending.
  void restore(eraftpb::Snapshot snap);
};

}  // namespace raft
