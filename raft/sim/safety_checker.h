#pragma once

// SafetyChecker: Raft's safety properties, checked after every step of a simulated run.
// It sees the cluster only through NodeViews (role, term, vote, commit and applied indexes,
// the persisted log) and through the state machines' apply events, so a test can feed it a
// deliberately broken cluster by hand.
//
// Properties (Raft paper, Figure 3, plus the contracts an application relies on):
//   Election Safety       at most one leader per term, over the whole run
//   Vote Once             a node votes for at most one candidate per term (across restarts)
//   Term Monotonicity     a node's term never decreases (across restarts)
//   Log Matching          two logs holding an entry of the same index and term are identical
//                         up to that index
//   Leader Completeness   a new leader's log holds every entry committed so far
//   State Machine Safety  every node applies the same entry at each index, in order, and a
//                         snapshot restores the state the others had at its index
//   Commit Monotonicity   a node's commit index never decreases (across restarts) and never
//                         exceeds its persisted log
//   Applied <= Committed  neither Raft nor the state machine applies beyond the commit index
//
// The first violation is kept; later ones are ignored (the run is already broken).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "raft/sim/log_view.h"

namespace raft::sim {

enum class Role { kFollower, kCandidate, kLeader };
const char* RoleName(Role r);

// One node as the checker sees it after a step.
struct NodeView {
  uint64_t id = 0;
  // A crashed node keeps only its persisted log; the other fields are ignored.
  bool up = true;
  Role role = Role::kFollower;
  uint64_t term = 0;
  uint64_t vote = 0;
  // Raft's commit and applied indexes.
  uint64_t committed = 0;
  uint64_t applied = 0;
  // How far the node's state machine has applied.
  uint64_t sm_applied = 0;
  // The persisted log; must not be null.
  const LogView* log = nullptr;
};

struct Violation {
  // The property's name as listed above, e.g. "Election Safety".
  std::string property;
  // The nodes involved.
  std::vector<uint64_t> nodes;
  uint64_t index = 0;
  uint64_t term = 0;
  // One sentence: what was expected and what was found.
  std::string detail;
  // When and under which seed: the run's context (see SafetyChecker::set_context).
  std::string context;

  // "Election Safety violated (nodes 1, 3; term 4)\n  <detail>\n  <context>"
  std::string ToString() const;
};

class SafetyChecker {
 public:
  // `context` goes into every violation: the seed and the command that replays the run.
  explicit SafetyChecker(std::string context = {}) : context_(std::move(context)) {}

  void set_context(std::string context) { context_ = std::move(context); }
  // Where the run is, for the next violation ("virtual tick 120, step 3456"). Cheap: it is
  // set before every check.
  void set_position(uint64_t tick, uint64_t step) {
    tick_ = tick;
    step_ = step;
    has_position_ = true;
  }

  // Checks the state of the cluster after one step.
  void Check(const std::vector<NodeView>& nodes);

  // Node `node`'s state machine applied entry (index, term) and reached `digest`.
  void OnApplied(uint64_t node, uint64_t index, uint64_t term, uint64_t digest);
  // Node `node`'s state machine was replaced by a snapshot's state at `index`.
  void OnSnapshotRestored(uint64_t node, uint64_t index, uint64_t digest);
  // Node `node` restarted; its state machine was rebuilt at `index` (0: empty).
  void OnRestarted(uint64_t node, uint64_t index, uint64_t digest);

  // Records a violation found elsewhere (the cluster's Ready contract checks), so that every
  // failure of a run is reported the same way.
  void Report(std::string property, std::vector<uint64_t> nodes, uint64_t index, uint64_t term,
              std::string detail);

  bool ok() const { return !violation_.has_value(); }
  const std::optional<Violation>& violation() const { return violation_; }

  // The highest index known committed by any node so far.
  uint64_t max_committed() const { return max_committed_; }

 private:
  struct Committed {
    EntryId id;
    uint64_t node = 0;  // the first node seen committing it
  };
  struct Applied {
    uint64_t term = 0;
    uint64_t digest = 0;
    uint64_t node = 0;
  };

  void CheckNode(const NodeView& v);
  void RecordCommitted(const NodeView& v);
  void CheckNewLeader(const NodeView& v);
  void CheckLogMatching(const NodeView& a, const NodeView& b);
  void CheckDigest(uint64_t node, uint64_t index, uint64_t term, uint64_t digest, const char* what);

  // What the checker remembers of one node, across restarts.
  struct NodeMemory {
    uint64_t max_term = 0;
    uint64_t vote_term = 0;  // the term of `vote` (terms never decrease, so one is enough)
    uint64_t vote = 0;
    uint64_t max_commit = 0;
    uint64_t recorded_commit = 0;  // committed entries recorded up to here
    uint64_t sm_applied = 0;       // the state machine's applied index
    uint64_t last_term = 0;        // term and role at the last check, to spot new leaders
    bool was_leader = false;
  };
  NodeMemory& memory(uint64_t node);

  std::string context_;
  uint64_t tick_ = 0;
  uint64_t step_ = 0;
  bool has_position_ = false;
  std::optional<Violation> violation_;

  std::vector<NodeMemory> nodes_;                // by node id (ids are small)
  std::map<uint64_t, uint64_t> leader_of_term_;  // term -> leader
  std::map<uint64_t, Committed> committed_;      // index -> committed entry
  std::map<uint64_t, Applied> applied_;          // index -> state after it
  uint64_t max_committed_ = 0;
  // Log versions at the last Log Matching check of each pair, and of every node.
  std::map<std::pair<uint64_t, uint64_t>, std::pair<uint64_t, uint64_t>> checked_versions_;
  std::vector<std::pair<uint64_t, uint64_t>> last_versions_;  // (id, version) per view
};

}  // namespace raft::sim
