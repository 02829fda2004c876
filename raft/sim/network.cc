#include "raft/sim/network.h"

#include <sstream>
#include <utility>

namespace raft::sim {

void SimNetwork::Partition(const std::vector<std::vector<uint64_t>>& groups) {
  group_.clear();
  for (const auto& g : groups) {
    const uint64_t gid = next_group_++;
    for (uint64_t id : g) group_[id] = gid;
  }
}

void SimNetwork::Isolate(uint64_t id) { group_[id] = next_group_++; }

void SimNetwork::Heal() { group_.clear(); }

bool SimNetwork::Connected(uint64_t a, uint64_t b) const {
  auto ga = group_.find(a);
  auto gb = group_.find(b);
  return (ga == group_.end() ? 0 : ga->second) == (gb == group_.end() ? 0 : gb->second);
}

std::string SimNetwork::DescribePartition(const std::vector<uint64_t>& ids) const {
  if (group_.empty()) return "";
  std::map<uint64_t, std::vector<uint64_t>> by_group;
  for (uint64_t id : ids) {
    auto g = group_.find(id);
    by_group[g == group_.end() ? 0 : g->second].push_back(id);
  }
  std::ostringstream os;
  bool first = true;
  for (const auto& [g, members] : by_group) {
    os << (first ? "" : " ") << "{";
    for (size_t i = 0; i < members.size(); ++i) os << (i ? " " : "") << members[i];
    os << "}";
    first = false;
  }
  return os.str();
}

void SimNetwork::Enqueue(const eraftpb::Message& m, uint64_t now, uint64_t tag) {
  InFlight f;
  f.tag = tag;
  f.due = now + (faults_.max_delay > 0 ? rng_.Below(faults_.max_delay + 1) : 0);
  f.seq = seq_++;
  f.order = faults_.reorder ? rng_.Next() : f.seq;
  f.msg = std::make_unique<eraftpb::Message>(m);
  queue_.push(std::move(f));
}

SimNetwork::SendResult SimNetwork::Send(const eraftpb::Message& m, uint64_t now, uint64_t tag) {
  SendResult r;
  if (!Connected(m.from(), m.to())) {
    r.cut = true;
    return r;
  }
  if (rng_.Chance(faults_.drop)) {
    r.dropped = true;
    return r;
  }
  r.copies = rng_.Chance(faults_.duplicate) ? 2 : 1;
  for (int c = 0; c < r.copies; ++c) Enqueue(m, now, c == 0 ? tag : tag | kDuplicateTag);
  return r;
}

std::unique_ptr<eraftpb::Message> SimNetwork::PopDue(uint64_t now, uint64_t* tag) {
  if (queue_.empty() || queue_.top().due > now) return nullptr;
  if (tag != nullptr) *tag = queue_.top().tag;
  // top() is const, but the element is popped right away and the ordering never looks at
  // the message, so taking it out is safe.
  std::unique_ptr<eraftpb::Message> p = std::move(const_cast<InFlight&>(queue_.top()).msg);
  queue_.pop();
  return p;
}

void SimNetwork::Clear() { queue_ = {}; }

}  // namespace raft::sim
