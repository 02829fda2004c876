#include "raft/raft_log.h"

#include <algorithm>
#include <iterator>
#include <stdexcept>
#include <utility>

#include "raft/util.h"

namespace raft {

namespace {

template <typename T>
T MustOk(Result<T> r, const char* what) {
  if (!r.ok())
    throw std::runtime_error(std::string("raft log: ") + what + ": " + r.error().ToString());
  return std::move(r).value();
}

// RaftLog::appendFromLeader for any container of entries (a vector, a message's field); the
// new ones are moved into the log when `Move` (the caller gives them up), copied otherwise.
template <bool Move, typename Entries>
uint64_t AppendFromLeader(RaftLog& log, uint64_t prev, Entries& ents) {
  const size_t n = static_cast<size_t>(ents.size());
  for (size_t k = 0; k < n; ++k) {
    const uint64_t idx = ents[k].index();
    if (idx < log.first_index) continue;  // already compacted here, hence committed and equal
    if (idx <= log.LastIndex() && log.entries[idx - log.first_index].term() == ents[k].term()) {
      continue;
    }
    // The first entry that is new or conflicts: drop ours from here, take the leader's.
    if (idx <= log.LastIndex()) {
      log.entries.resize(idx - log.first_index);
      log.stabled = std::min(log.stabled, idx - 1);
    }
    if constexpr (Move) {
      log.entries.insert(log.entries.end(), std::make_move_iterator(ents.begin() + k),
                         std::make_move_iterator(ents.end()));
    } else {
      log.entries.insert(log.entries.end(), ents.begin() + k, ents.end());
    }
    break;
  }
  return prev + n;
}

}  // namespace

RaftLog::RaftLog(Storage* storage) : storage(storage) {
  if (storage == nullptr) return;  // Config::Validate reports it
  first_index = MustOk(storage->FirstIndex(), "storage FirstIndex");
  const uint64_t last = MustOk(storage->LastIndex(), "storage LastIndex");
  entries = MustOk(storage->Entries(first_index, last + 1), "storage Entries");
  committed = first_index - 1;
  applied = first_index - 1;
  stabled = last;
}

std::vector<eraftpb::Entry> RaftLog::allEntries() const { return entries; }

std::vector<eraftpb::Entry> RaftLog::unstableEntries() const {
  if (stabled + 1 < first_index) return entries;
  return slice(stabled + 1, LastIndex() + 1);
}

std::vector<eraftpb::Entry> RaftLog::nextEnts() const {
  const uint64_t lo = std::max(applied + 1, first_index);
  if (committed < lo) return {};
  return slice(lo, committed + 1);
}

uint64_t RaftLog::LastIndex() const {
  return entries.empty() ? first_index - 1 : entries.back().index();
}

uint64_t RaftLog::LastTerm() const {
  Result<uint64_t> t = Term(LastIndex());
  return t.ok() ? t.value() : 0;
}

Result<uint64_t> RaftLog::Term(uint64_t i) const {
  if (i > LastIndex()) {
    return Error(ErrUnavailable,
                 "term of " + std::to_string(i) + ", last index is " + std::to_string(LastIndex()));
  }
  if (i >= first_index) return entries[i - first_index].term();
  // Before the log: only the entry just before it (a snapshot's or storage's compaction
  // point) still has a known term.
  if (!IsEmptySnap(pending_snapshot)) {
    if (i == pending_snapshot.metadata().index()) return pending_snapshot.metadata().term();
    return Error(ErrCompacted, "term of " + std::to_string(i) +
                                   ", a snapshot replaced the log up to " +
                                   std::to_string(pending_snapshot.metadata().index()));
  }
  return storage->Term(i);
}

std::vector<eraftpb::Entry> RaftLog::slice(uint64_t lo, uint64_t hi) const {
  if (lo >= hi) return {};
  return std::vector<eraftpb::Entry>(entries.begin() + (lo - first_index),
                                     entries.begin() + (hi - first_index));
}

bool RaftLog::isUpToDate(uint64_t last_term, uint64_t last_index) const {
  const uint64_t my_term = LastTerm();
  return last_term > my_term || (last_term == my_term && last_index >= LastIndex());
}

uint64_t RaftLog::appendFromLeader(uint64_t prev, const std::vector<eraftpb::Entry>& ents) {
  return AppendFromLeader<false>(*this, prev, ents);
}

uint64_t RaftLog::appendFromLeader(uint64_t prev,
                                   const google::protobuf::RepeatedPtrField<eraftpb::Entry>& ents) {
  return AppendFromLeader<false>(*this, prev, ents);
}

uint64_t RaftLog::appendFromLeader(uint64_t prev,
                                   google::protobuf::RepeatedPtrField<eraftpb::Entry>&& ents) {
  return AppendFromLeader<true>(*this, prev, ents);
}

void RaftLog::append(const std::vector<eraftpb::Entry>& ents) {
  entries.insert(entries.end(), ents.begin(), ents.end());
}

void RaftLog::restore(eraftpb::Snapshot snap) {
  const uint64_t idx = snap.metadata().index();
  entries.clear();
  first_index = idx + 1;
  committed = idx;
  applied = idx;
  stabled = idx;
  pending_snapshot = std::move(snap);
}

void RaftLog::maybeCompact() {
  Result<uint64_t> first = storage->FirstIndex();
  if (!first.ok() || first.value() <= first_index) return;
  const uint64_t new_first = std::min(first.value(), LastIndex() + 1);
  entries.erase(entries.begin(), entries.begin() + (new_first - first_index));
  first_index = new_first;
}

}  // namespace raft
