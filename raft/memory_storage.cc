#include "raft/memory_storage.h"

#include <string>

namespace raft {

MemoryStorage::MemoryStorage() : ents_(1) {}

uint64_t MemoryStorage::firstIndex() const { return ents_[0].index() + 1; }
uint64_t MemoryStorage::lastIndex() const { return ents_[0].index() + ents_.size() - 1; }

Result<InitialStateResult> MemoryStorage::InitialState() {
  return InitialStateResult{hard_state_, snapshot_.metadata().conf_state()};
}

void MemoryStorage::SetHardState(const eraftpb::HardState& hs) { hard_state_ = hs; }

Result<std::vector<eraftpb::Entry>> MemoryStorage::Entries(uint64_t lo, uint64_t hi) {
  const uint64_t offset = ents_[0].index();
  if (lo <= offset) {
    return Error(ErrCompacted, "entries from " + std::to_string(lo) + ", first index is " +
                                   std::to_string(offset + 1));
  }
  if (hi > lastIndex() + 1) {
    return Error(ErrUnavailable, "entries up to " + std::to_string(hi) + ", last index is " +
                                     std::to_string(lastIndex()));
  }
  if (lo > hi) return Error(ErrorCode::kOther, "Entries: lo > hi");
  return std::vector<eraftpb::Entry>(ents_.begin() + (lo - offset), ents_.begin() + (hi - offset));
}

Result<uint64_t> MemoryStorage::Term(uint64_t i) {
  const uint64_t offset = ents_[0].index();
  if (i < offset) {
    return Error(ErrCompacted,
                 "term of " + std::to_string(i) + ", compacted up to " + std::to_string(offset));
  }
  if (i - offset >= ents_.size()) {
    return Error(ErrUnavailable,
                 "term of " + std::to_string(i) + ", last index is " + std::to_string(lastIndex()));
  }
  return ents_[i - offset].term();
}

Result<uint64_t> MemoryStorage::LastIndex() { return lastIndex(); }

Result<uint64_t> MemoryStorage::FirstIndex() { return firstIndex(); }

Result<eraftpb::Snapshot> MemoryStorage::Snapshot() { return snapshot_; }

Error MemoryStorage::ApplySnapshot(const eraftpb::Snapshot& snap) {
  if (snapshot_.metadata().index() >= snap.metadata().index()) {
    return Error(ErrSnapOutOfDate, "have " + std::to_string(snapshot_.metadata().index()) +
                                       ", offered " + std::to_string(snap.metadata().index()));
  }
  snapshot_ = snap;
  ents_.assign(1, eraftpb::Entry());
  ents_[0].set_index(snap.metadata().index());
  ents_[0].set_term(snap.metadata().term());
  return {};
}

Result<eraftpb::Snapshot> MemoryStorage::CreateSnapshot(uint64_t i, const eraftpb::ConfState* cs,
                                                        const std::string& data) {
  if (i <= snapshot_.metadata().index()) {
    return Error(ErrSnapOutOfDate, "snapshot at " + std::to_string(i) + ", have " +
                                       std::to_string(snapshot_.metadata().index()));
  }
  const uint64_t offset = ents_[0].index();
  if (i > lastIndex()) {
    return Error(ErrUnavailable, "snapshot at " + std::to_string(i) + " is beyond last index " +
                                     std::to_string(lastIndex()));
  }
  snapshot_.mutable_metadata()->set_index(i);
  snapshot_.mutable_metadata()->set_term(ents_[i - offset].term());
  if (cs != nullptr) *snapshot_.mutable_metadata()->mutable_conf_state() = *cs;
  snapshot_.set_data(data);
  return snapshot_;
}

Error MemoryStorage::Compact(uint64_t compact_index) {
  const uint64_t offset = ents_[0].index();
  if (compact_index <= offset) {
    return Error(ErrCompacted, "compact to " + std::to_string(compact_index) +
                                   ", already compacted to " + std::to_string(offset));
  }
  if (compact_index > lastIndex()) {
    return Error(ErrUnavailable, "compact to " + std::to_string(compact_index) +
                                     " is beyond last index " + std::to_string(lastIndex()));
  }
  const uint64_t i = compact_index - offset;
  std::vector<eraftpb::Entry> kept;
  kept.reserve(ents_.size() - i);
  kept.emplace_back();
  kept[0].set_index(ents_[i].index());
  kept[0].set_term(ents_[i].term());
  kept.insert(kept.end(), ents_.begin() + i + 1, ents_.end());
  ents_ = std::move(kept);
  return {};
}

Error MemoryStorage::Append(const std::vector<eraftpb::Entry>& entries) {
  if (entries.empty()) return {};
  const uint64_t first = firstIndex();
  const uint64_t last_new = entries.back().index();
  if (last_new < first) return {};  // everything offered is already compacted
  // Skip the part that is already compacted.
  size_t skip = entries.front().index() < first ? first - entries.front().index() : 0;
  const uint64_t start = entries[skip].index();
  const uint64_t offset = ents_[0].index();
  if (start > lastIndex() + 1) {
    return Error(ErrUnavailable, "append at " + std::to_string(start) + " leaves a gap after " +
                                     std::to_string(lastIndex()));
  }
  ents_.resize(start - offset);  // truncate conflicting suffix (no-op when appending at end)
  ents_.insert(ents_.end(), entries.begin() + skip, entries.end());
  return {};
}

}  // namespace raft
