#include "raft/sim/safety_checker.h"

#include <algorithm>
#include <sstream>

namespace raft::sim {

namespace {

std::string Entry(uint64_t index, const EntryId* e) {
  if (e == nullptr) return std::to_string(index) + "@(none)";
  std::ostringstream os;
  os << index << "@" << e->term << " (payload #" << std::hex << (e->data_hash & 0xffffff) << ")";
  return os.str();
}

}  // namespace

const char* RoleName(Role r) {
  switch (r) {
    case Role::kFollower:
      return "follower";
    case Role::kCandidate:
      return "candidate";
    case Role::kLeader:
      return "leader";
  }
  return "?";
}

std::string Violation::ToString() const {
  std::ostringstream os;
  os << property << " violated";
  std::vector<std::string> where;
  if (nodes.size() == 1) where.push_back("node " + std::to_string(nodes[0]));
  if (nodes.size() > 1) {
    std::string s = "nodes ";
    for (size_t i = 0; i < nodes.size(); ++i) s += (i ? ", " : "") + std::to_string(nodes[i]);
    where.push_back(s);
  }
  if (index != 0) where.push_back("index " + std::to_string(index));
  if (term != 0) where.push_back("term " + std::to_string(term));
  for (size_t i = 0; i < where.size(); ++i) os << (i ? "; " : " (") << where[i];
  if (!where.empty()) os << ")";
  os << "\n  " << detail;
  if (!context.empty()) os << "\n  " << context;
  return os.str();
}

void SafetyChecker::Report(std::string property, std::vector<uint64_t> nodes, uint64_t index,
                           uint64_t term, std::string detail) {
  if (violation_) return;
  Violation v;
  v.property = std::move(property);
  for (uint64_t n : nodes) {  // each node once, in the order given
    if (std::find(v.nodes.begin(), v.nodes.end(), n) == v.nodes.end()) v.nodes.push_back(n);
  }
  v.index = index;
  v.term = term;
  v.detail = std::move(detail);
  if (has_position_) {
    v.detail += " [virtual tick " + std::to_string(tick_) + ", step " + std::to_string(step_) + "]";
  }
  v.context = context_;
  violation_ = std::move(v);
}

SafetyChecker::NodeMemory& SafetyChecker::memory(uint64_t node) {
  if (node >= nodes_.size()) nodes_.resize(node + 1);
  return nodes_[node];
}

void SafetyChecker::Check(const std::vector<NodeView>& nodes) {
  if (violation_) return;
  for (const NodeView& v : nodes) {
    if (v.up) CheckNode(v);
    if (violation_) return;
  }
  for (const NodeView& v : nodes) {
    if (v.up) RecordCommitted(v);
    if (violation_) return;
  }
  for (const NodeView& v : nodes) {
    NodeMemory& m = memory(v.id);
    const bool leader = v.up && v.role == Role::kLeader;
    // Only a node that just became leader (or is leader of a new term) is news.
    if (leader && (!m.was_leader || m.last_term != v.term)) CheckNewLeader(v);
    m.was_leader = leader;
    m.last_term = v.term;
    if (violation_) return;
  }
  // Logs change far less often than steps happen: skip the pairwise comparison when no log
  // changed since the last check.
  bool changed = last_versions_.size() != nodes.size();
  last_versions_.resize(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    const std::pair<uint64_t, uint64_t> now{nodes[i].id, nodes[i].log->version()};
    if (last_versions_[i] != now) changed = true;
    last_versions_[i] = now;
  }
  if (!changed) return;
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (size_t j = i + 1; j < nodes.size(); ++j) {
      CheckLogMatching(nodes[i], nodes[j]);
      if (violation_) return;
    }
  }
}

void SafetyChecker::CheckNode(const NodeView& v) {
  const uint64_t id = v.id;
  NodeMemory& m = memory(id);
  uint64_t& max_term = m.max_term;
  if (v.term < max_term) {
    Report("Term Monotonicity", {id}, 0, v.term,
           "node " + std::to_string(id) + "'s term went back from " + std::to_string(max_term) +
               " to " + std::to_string(v.term) +
               " (the term must be persisted and never decrease)");
    return;
  }
  max_term = v.term;

  if (v.vote != 0) {
    if (m.vote_term == v.term && m.vote != 0 && m.vote != v.vote) {
      Report("Vote Once", {id, m.vote, v.vote}, 0, v.term,
             "node " + std::to_string(id) + " voted for " + std::to_string(m.vote) +
                 " and then for " + std::to_string(v.vote) + " in term " + std::to_string(v.term) +
                 " (one vote per term; the vote must survive a restart)");
      return;
    }
    m.vote_term = v.term;
    m.vote = v.vote;
  }

  uint64_t& max_commit = m.max_commit;
  if (v.committed < max_commit) {
    Report("Commit Monotonicity", {id}, v.committed, v.term,
           "node " + std::to_string(id) + "'s commit index went back from " +
               std::to_string(max_commit) + " to " + std::to_string(v.committed));
    return;
  }
  max_commit = v.committed;
  if (v.committed > v.log->last()) {
    Report("Commit Monotonicity", {id}, v.committed, v.term,
           "node " + std::to_string(id) + " has commit index " + std::to_string(v.committed) +
               " but its persisted log ends at " + std::to_string(v.log->last()) +
               " (an entry must be persisted before it counts as committed)");
    return;
  }
  if (v.applied > v.committed || v.sm_applied > v.committed) {
    Report("Applied <= Committed", {id}, std::max(v.applied, v.sm_applied), v.term,
           "node " + std::to_string(id) + " applied up to " + std::to_string(v.applied) +
               " (state machine: " + std::to_string(v.sm_applied) +
               ") but has only committed up to " + std::to_string(v.committed));
  }
}

void SafetyChecker::RecordCommitted(const NodeView& v) {
  uint64_t& recorded = memory(v.id).recorded_commit;
  if (v.committed <= recorded) return;
  for (uint64_t i = std::max(recorded + 1, v.log->first()); i <= v.committed; ++i) {
    const EntryId* e = v.log->At(i);
    if (e == nullptr) continue;
    auto [it, inserted] = committed_.try_emplace(i, Committed{*e, v.id});
    if (!inserted && !(it->second.id == *e)) {
      Report("State Machine Safety", {it->second.node, v.id}, i, e->term,
             "index " + std::to_string(i) + " is committed on node " +
                 std::to_string(it->second.node) + " as " + Entry(i, &it->second.id) +
                 " and on node " + std::to_string(v.id) + " as " + Entry(i, e) +
                 ": a committed entry must be the same everywhere");
      return;
    }
  }
  recorded = std::max(recorded, v.committed);
  max_committed_ = std::max(max_committed_, v.committed);
}

void SafetyChecker::CheckNewLeader(const NodeView& v) {
  auto [it, inserted] = leader_of_term_.try_emplace(v.term, v.id);
  if (!inserted) {
    if (it->second != v.id) {
      Report("Election Safety", {it->second, v.id}, 0, v.term,
             "nodes " + std::to_string(it->second) + " and " + std::to_string(v.id) +
                 " were both leader of term " + std::to_string(v.term) +
                 " (a candidate needs a majority of votes, and each node votes once per term)");
    }
    return;
  }
  // A new leader: it must hold every entry committed so far (the election restriction).
  if (max_committed_ > v.log->last()) {
    Report("Leader Completeness", {v.id}, max_committed_, v.term,
           "node " + std::to_string(v.id) + " became leader of term " + std::to_string(v.term) +
               " with a log ending at " + std::to_string(v.log->last()) + ", but index " +
               std::to_string(max_committed_) + " is already committed (log: " + v.log->Describe() +
               ")");
    return;
  }
  for (auto c = committed_.lower_bound(v.log->first()); c != committed_.end(); ++c) {
    const EntryId* e = v.log->At(c->first);
    if (e == nullptr || !(*e == c->second.id)) {
      Report("Leader Completeness", {v.id, c->second.node}, c->first, v.term,
             "node " + std::to_string(v.id) + " became leader of term " + std::to_string(v.term) +
                 " holding " + Entry(c->first, e) + ", but node " + std::to_string(c->second.node) +
                 " committed " + Entry(c->first, &c->second.id));
      return;
    }
  }
}

void SafetyChecker::CheckLogMatching(const NodeView& a, const NodeView& b) {
  const LogView& la = *a.log;
  const LogView& lb = *b.log;
  auto& seen = checked_versions_[{a.id, b.id}];
  if (seen.first == la.version() + 1 && seen.second == lb.version() + 1) return;
  seen = {la.version() + 1, lb.version() + 1};  // +1: version 0 must still be checked once

  const uint64_t lo = std::max(la.first(), lb.first());
  const uint64_t hi = std::min(la.last(), lb.last());
  if (lo > hi) return;
  // The highest index where both hold an entry of the same term: everything up to it must
  // be identical.
  uint64_t k = hi;
  while (k >= lo && la.At(k)->term != lb.At(k)->term) {
    if (k == lo) return;
    --k;
  }
  for (uint64_t j = lo; j <= k; ++j) {
    const EntryId* ea = la.At(j);
    const EntryId* eb = lb.At(j);
    if (*ea == *eb) continue;
    Report("Log Matching", {a.id, b.id}, j, la.At(k)->term,
           "nodes " + std::to_string(a.id) + " and " + std::to_string(b.id) +
               " both hold an entry of term " + std::to_string(la.At(k)->term) + " at index " +
               std::to_string(k) + ", but at index " + std::to_string(j) + " node " +
               std::to_string(a.id) + " has " + Entry(j, ea) + " and node " + std::to_string(b.id) +
               " has " + Entry(j, eb) + " (logs: " + la.Describe() + " vs " + lb.Describe() + ")");
    return;
  }
}

void SafetyChecker::CheckDigest(uint64_t node, uint64_t index, uint64_t term, uint64_t digest,
                                const char* what) {
  auto [it, inserted] = applied_.try_emplace(index, Applied{term, digest, node});
  if (inserted || it->second.digest == digest) return;
  Report("State Machine Safety", {it->second.node, node}, index, term,
         "node " + std::to_string(node) + " " + what + " index " + std::to_string(index) +
             " (term " + std::to_string(term) + ") and reached a different state than node " +
             std::to_string(it->second.node) + " did at that index (term " +
             std::to_string(it->second.term) +
             "): the nodes applied different entries at or before it");
}

void SafetyChecker::OnApplied(uint64_t node, uint64_t index, uint64_t term, uint64_t digest) {
  if (violation_) return;
  uint64_t& prev = memory(node).sm_applied;
  if (index != prev + 1) {
    Report("State Machine Safety", {node}, index, term,
           "node " + std::to_string(node) + " was handed entry " + std::to_string(index) +
               " to apply right after entry " + std::to_string(prev) +
               (index <= prev ? " (an entry applied twice)" : " (entries skipped)") +
               ": committed entries are applied once each, in order");
    return;
  }
  prev = index;
  CheckDigest(node, index, term, digest, "applied");
}

void SafetyChecker::OnSnapshotRestored(uint64_t node, uint64_t index, uint64_t digest) {
  if (violation_) return;
  uint64_t& prev = memory(node).sm_applied;
  if (index < prev) {
    Report("State Machine Safety", {node}, index, 0,
           "node " + std::to_string(node) + " restored a snapshot at index " +
               std::to_string(index) + " over a state machine already at " + std::to_string(prev) +
               " (that would undo applied entries)");
    return;
  }
  prev = index;
  CheckDigest(node, index, 0, digest, "restored a snapshot at");
}

void SafetyChecker::OnRestarted(uint64_t node, uint64_t index, uint64_t digest) {
  if (violation_) return;
  memory(node).sm_applied = index;
  if (index > 0) CheckDigest(node, index, 0, digest, "restarted from its snapshot at");
}

}  // namespace raft::sim
