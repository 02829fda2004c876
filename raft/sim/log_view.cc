#include "raft/sim/log_view.h"

#include <sstream>

#include "raft/sim/hash.h"

namespace raft::sim {

EntryId IdOf(const eraftpb::Entry& e) {
  // The entry type is part of the identity: a no-op and a conf change with equal (empty)
  // payloads are different entries.
  return EntryId{e.term(), Combine(HashBytes(e.data()), static_cast<uint64_t>(e.entry_type()))};
}

const EntryId* LogView::At(uint64_t i) const {
  if (i < first_ || i > last()) return nullptr;
  return &entries_[i - first_];
}

std::optional<uint64_t> LogView::Term(uint64_t i) const {
  if (i + 1 == first_) return compacted_term_;
  if (const EntryId* e = At(i)) return e->term;
  return std::nullopt;
}

bool LogView::Append(const std::vector<eraftpb::Entry>& ents) {
  if (ents.empty()) return true;
  size_t skip = 0;
  while (skip < ents.size() && ents[skip].index() < first_) ++skip;
  if (skip == ents.size()) return true;
  const uint64_t start = ents[skip].index();
  if (start > last() + 1) return false;
  entries_.resize(start - first_);
  for (size_t k = skip; k < ents.size(); ++k) entries_.push_back(IdOf(ents[k]));
  ++version_;
  return true;
}

void LogView::Push(EntryId id) {
  entries_.push_back(id);
  ++version_;
}

void LogView::Restore(uint64_t index, uint64_t term) {
  entries_.clear();
  first_ = index + 1;
  compacted_term_ = term;
  ++version_;
}

void LogView::Compact(uint64_t index) {
  if (index < first_ || index > last()) return;
  compacted_term_ = entries_[index - first_].term;
  entries_.erase(entries_.begin(), entries_.begin() + (index + 1 - first_));
  first_ = index + 1;
  ++version_;
}

std::string LogView::Describe(size_t max_entries) const {
  std::ostringstream os;
  os << "[";
  if (first_ > 1) os << "(compacted to " << first_ - 1 << "@" << compacted_term_ << ")";
  const size_t n = entries_.size();
  for (size_t k = 0; k < n; ++k) {
    if (n > max_entries && k == max_entries / 2) {
      os << " …";
      k = n - max_entries / 2;
    }
    if (k > 0 || first_ > 1) os << " ";
    os << first_ + k << "@" << entries_[k].term;
  }
  os << "]";
  return os.str();
}

}  // namespace raft::sim
