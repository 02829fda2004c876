#include "raftstore/testing/audit/apply_audit.h"

#include "proto/raft_serverpb.pb.h"
#include "raftstore/meta/keys.h"

namespace raftstore::testing::audit {

namespace {
constexpr size_t kMaxFailures = 5;
}  // namespace

ApplyAudit::ApplyAudit(Cluster* cluster, uint64_t region_id)
    : cluster_(cluster), region_id_(region_id) {}

void ApplyAudit::fail(std::string what) {
  if (failures_.size() <= kMaxFailures) failures_.push_back(std::move(what));
}

void ApplyAudit::observe(uint64_t store_id, const std::string& when) {
  if (!cluster_->IsRunning(store_id)) return;
  ++observations_;
  raft_serverpb::RaftApplyState state;
  auto found = cluster_->engines(store_id).kv->GetMeta(meta::ApplyStateKey(region_id_), &state);
  if (!found.ok() || !found.value()) return;  // not bootstrapped yet
  uint64_t& seen = applied_[store_id];
  if (state.applied_index() < seen) {
    fail("store " + std::to_string(store_id) + ", region " + std::to_string(region_id_) +
         ": the persisted applied index went back from " + std::to_string(seen) + " to " +
         std::to_string(state.applied_index()) + when + "; entries " +
         std::to_string(state.applied_index() + 1) + ".." + std::to_string(seen) +
         " would be applied again");
  }
  // After a regression, track from the new value: one report per regression, not one per read.
  seen = state.applied_index();
}

void ApplyAudit::OnStoreInput(uint64_t store_id) {
  const runtime::Micros now = cluster_->rt().Now();
  runtime::Micros& next = next_read_[store_id];
  if (now < next) return;
  next = now + kInputReadEvery;
  observe(store_id, "");
}

void ApplyAudit::BeforeStop(uint64_t store_id) {
  observe(store_id, " (before a crash)");
  Peer* p = cluster_->GetPeer(store_id, region_id_);
  if (p == nullptr) return;
  // Raft moves raft_log.applied to a snapshot's index when it steps the MsgSnapshot, before the
  // Ready that persists the snapshot: a crash point in between (crash_points.h) is no double
  // apply.
  if (p->raft_group->raft->raft_log.pending_snapshot.has_metadata() &&
      p->raft_group->raft->raft_log.pending_snapshot.metadata().index() > 0) {
    return;
  }
  const uint64_t acknowledged = p->raft_group->raft->raft_log.applied;
  raft_serverpb::RaftApplyState state;
  auto found = cluster_->engines(store_id).kv->GetMeta(meta::ApplyStateKey(region_id_), &state);
  if (!found.ok() || !found.value()) return;
  if (state.applied_index() < acknowledged) {
    fail("store " + std::to_string(store_id) + ", region " + std::to_string(region_id_) +
         ": crashing with entries " + std::to_string(state.applied_index() + 1) + ".." +
         std::to_string(acknowledged) + " applied (the RawNode's applied index is " +
         std::to_string(acknowledged) + ") but the persisted applied index at " +
         std::to_string(state.applied_index()) +
         ": after the restart they are applied a second time (write each entry's changes and "
         "its RaftApplyState in one kv write batch before Advance)");
  }
}

::testing::AssertionResult ApplyAudit::Check() {
  for (uint64_t id : cluster_->StoreIds()) observe(id, " (at the end)");
  if (failures_.empty()) return ::testing::AssertionSuccess();
  auto f = ::testing::AssertionFailure();
  f << "apply audit:";
  for (size_t i = 0; i < failures_.size() && i < kMaxFailures; ++i) f << "\n  " << failures_[i];
  if (failures_.size() > kMaxFailures) f << "\n  ...";
  f << cluster_->SeedNote();
  return f;
}

}  // namespace raftstore::testing::audit
