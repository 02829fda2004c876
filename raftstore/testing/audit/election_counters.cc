#include "raftstore/testing/audit/election_counters.h"

#include "raft/raft.h"

namespace raftstore::testing::audit {

ElectionCounters::ElectionCounters(Cluster* cluster, uint64_t region_id)
    : cluster_(cluster), region_id_(region_id) {}

void ElectionCounters::observe(uint64_t store_id) {
  Peer* p = cluster_->GetPeer(store_id, region_id_);
  if (p == nullptr) return;
  const raft::Raft& r = *p->raft_group->raft;
  PerStore& s = stores_[store_id];
  // A restart reloads the term from the hard state: not a change unless it differs.
  if (s.term != 0 && r.term != s.term) ++s.term_changes;
  s.term = r.term;
  if (r.state == raft::StateType::kCandidate && r.term > s.last_candidate_term) {
    ++s.elections;
    s.last_candidate_term = r.term;
  }
  if (r.state == raft::StateType::kLeader) leader_terms_.insert(r.term);
}

void ElectionCounters::ObserveAll() {
  for (uint64_t id : cluster_->StoreIds()) observe(id);
}

uint64_t ElectionCounters::elections_started(uint64_t store_id) const {
  auto it = stores_.find(store_id);
  return it == stores_.end() ? 0 : it->second.elections;
}

uint64_t ElectionCounters::term_changes(uint64_t store_id) const {
  auto it = stores_.find(store_id);
  return it == stores_.end() ? 0 : it->second.term_changes;
}

uint64_t ElectionCounters::elections_started() const {
  uint64_t n = 0;
  for (const auto& [id, s] : stores_) n += s.elections;
  return n;
}

std::string ElectionCounters::Describe() const {
  std::string out;
  for (const auto& [id, s] : stores_) {
    out += "store " + std::to_string(id) + ": " + std::to_string(s.elections) + " elections, " +
           std::to_string(s.term_changes) + " term changes (term " + std::to_string(s.term) + "); ";
  }
  out += "leaders in terms";
  for (uint64_t t : leader_terms_) out += " " + std::to_string(t);
  return out;
}

}  // namespace raftstore::testing::audit
