// PeerStorage: the student half (2B, 2C), complete. The given half is in
// raftstore/peer_storage_reads.cc.

#include "raftstore/peer_storage.h"

#include "raft/util.h"
#include "raftstore/meta/keys.h"
#include "raftstore/meta/values.h"
#include "raftstore/runner/region_task.h"

namespace raftstore {

kv::Status PeerStorage::Append(const std::vector<eraftpb::Entry>& entries,
                               kv::WriteBatch* raft_wb) {
  if (entries.empty()) return kv::Status::OK();
  const uint64_t first = TruncatedIndex() + 1;
  const uint64_t last_new = entries.back().index();
  if (last_new < first) return kv::Status::OK();  // all of them were compacted already

  for (const eraftpb::Entry& e : entries) {
    if (e.index() < first) continue;
    raft_wb->SetMeta(meta::RaftLogKey(region.id(), e.index()), e);
  }
  // Entries past the new last one belong to a log a new leader has overwritten: they can
  // never be committed, and must not be read back after a restart.
  for (uint64_t i = last_new + 1; i <= raft_state.last_index(); ++i) {
    raft_wb->DeleteMeta(meta::RaftLogKey(region.id(), i));
  }
  raft_state.set_last_index(last_new);
  raft_state.set_last_term(entries.back().term());
  return kv::Status::OK();
}

kv::Result<std::optional<ApplySnapResult>> PeerStorage::SaveReadyState(const raft::Ready& ready) {
  kv::WriteBatch kv_wb;
  kv::WriteBatch raft_wb;
  // Memory must not run ahead of the disk: on failure, both states go back.
  const raft_serverpb::RaftLocalState raft_before = raft_state;
  const raft_serverpb::RaftApplyState apply_before = apply_state;
  const metapb::Region region_before = region;
  auto restore = [&](const kv::Status& s) {
    raft_state = raft_before;
    apply_state = apply_before;
    region = region_before;
    return s.Annotate(tag + " save ready state");
  };

  std::optional<ApplySnapResult> result;
  if (!raft::IsEmptySnap(ready.snapshot)) {
    auto applied = ApplySnapshot(ready.snapshot, &kv_wb, &raft_wb);
    if (!applied.ok()) return restore(applied.status());
    result = std::move(applied).value();
  }
  kv::Status s = Append(ready.entries, &raft_wb);
  if (!s.ok()) return restore(s);
  if (!raft::IsEmptyHardState(ready.hard_state))
    *raft_state.mutable_hard_state() = ready.hard_state;
  // Most Readys only carry messages: then there is nothing to write.
  const auto& hs = raft_state.hard_state();
  const auto& was = raft_before.hard_state();
  if (raft_wb.empty() && kv_wb.empty() && raft_state.last_index() == raft_before.last_index() &&
      raft_state.last_term() == raft_before.last_term() && hs.term() == was.term() &&
      hs.vote() == was.vote() && hs.commit() == was.commit()) {
    return result;
  }
  raft_wb.SetMeta(meta::RaftStateKey(region.id()), raft_state);
  // The kv batch first, as TinyKV: it holds the apply state that says the snapshot's data
  // (already ingested by the region worker) is there.
  if (!kv_wb.empty()) {
    s = engines->WriteKV(kv_wb);
    if (!s.ok()) return restore(s);
  }
  s = engines->WriteRaft(raft_wb);
  if (!s.ok()) return restore(s);
  return result;
}

kv::Result<ApplySnapResult> PeerStorage::ApplySnapshot(const eraftpb::Snapshot& snapshot,
                                                       kv::WriteBatch* kv_wb,
                                                       kv::WriteBatch* raft_wb) {
  raft_serverpb::RaftSnapshotData snap_data;
  if (!snap_data.ParseFromString(snapshot.data()) || !snap_data.has_region()) {
    return kv::Status::Corruption(tag + " snapshot data is not a RaftSnapshotData");
  }
  if (region_sched == nullptr) {
    return kv::Status::InvalidArgument(tag + " no region worker to apply the snapshot");
  }
  const eraftpb::SnapshotMetadata& md = snapshot.metadata();
  // Whatever this peer held is replaced: its log and states, and data outside the new range.
  if (IsInitialized()) {
    clearMeta(kv_wb, raft_wb);
    clearExtraData(snap_data.region());
  }
  raft_state.set_last_index(md.index());
  raft_state.set_last_term(md.term());
  apply_state.set_applied_index(md.index());
  apply_state.mutable_truncated_state()->set_index(md.index());
  apply_state.mutable_truncated_state()->set_term(md.term());

  // The region worker replaces the region's data with the snapshot's files; wait for it, so
  // nothing reads the region's keys half replaced.
  snap_state = SnapState::kApplying;
  kv::Status applied = kv::Status::Internal("the region worker never answered");
  region_sched->RunAndWait(runner::RegionTaskApply{
      snap_data.region().id(), md, snap_data, snap_data.region().start_key(),
      snap_data.region().end_key(), [&applied](kv::Status s) { applied = std::move(s); }});
  snap_state = SnapState::kRelax;
  if (!applied.ok()) return applied.Annotate(tag + " apply snapshot");

  ApplySnapResult result{region, snap_data.region()};
  region = snap_data.region();
  kv_wb->SetMeta(meta::ApplyStateKey(region.id()), apply_state);
  meta::WriteRegionState(kv_wb, region, raft_serverpb::PeerState::Normal);
  return result;
}

}  // namespace raftstore
