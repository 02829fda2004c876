#include "raftstore/meta/values.h"

#include "raftstore/meta/keys.h"

namespace raftstore::meta {

namespace {

template <typename Msg>
kv::Result<std::optional<Msg>> GetMetaValue(const kv::Engine& engine, const std::string& key) {
  Msg msg;
  kv::Result<bool> found = engine.GetMeta(key, &msg);
  if (!found.ok()) return found.status();
  if (!found.value()) return std::optional<Msg>();
  return std::optional<Msg>(std::move(msg));
}

}  // namespace

kv::Result<std::optional<raft_serverpb::RegionLocalState>> GetRegionLocalState(const kv::Engine& kv,
                                                                               uint64_t region_id) {
  return GetMetaValue<raft_serverpb::RegionLocalState>(kv, RegionStateKey(region_id));
}

kv::Result<std::optional<raft_serverpb::RaftLocalState>> GetRaftLocalState(const kv::Engine& raft,
                                                                           uint64_t region_id) {
  return GetMetaValue<raft_serverpb::RaftLocalState>(raft, RaftStateKey(region_id));
}

kv::Result<std::optional<raft_serverpb::RaftApplyState>> GetApplyState(const kv::Engine& kv,
                                                                       uint64_t region_id) {
  return GetMetaValue<raft_serverpb::RaftApplyState>(kv, ApplyStateKey(region_id));
}

kv::Result<std::optional<eraftpb::Entry>> GetRaftEntry(const kv::Engine& raft, uint64_t region_id,
                                                       uint64_t index) {
  return GetMetaValue<eraftpb::Entry>(raft, RaftLogKey(region_id, index));
}

kv::Result<raft_serverpb::RaftLocalState> InitRaftLocalState(const kv::Engine& raft,
                                                             const metapb::Region& region) {
  auto stored = GetRaftLocalState(raft, region.id());
  if (!stored.ok()) return stored.status();
  if (stored.value().has_value()) return *stored.value();
  raft_serverpb::RaftLocalState state;
  if (region.peers_size() > 0) {
    // A region created by bootstrap or split: its log starts after the virtual entry
    // (kRaftInitLogIndex, kRaftInitLogTerm), which counts as committed.
    state.set_last_index(kRaftInitLogIndex);
    state.set_last_term(kRaftInitLogTerm);
    state.mutable_hard_state()->set_term(kRaftInitLogTerm);
    state.mutable_hard_state()->set_commit(kRaftInitLogIndex);
  }
  return state;
}

kv::Result<raft_serverpb::RaftApplyState> InitApplyState(const kv::Engine& kv,
                                                         const metapb::Region& region) {
  auto stored = GetApplyState(kv, region.id());
  if (!stored.ok()) return stored.status();
  if (stored.value().has_value()) return *stored.value();
  raft_serverpb::RaftApplyState state;
  if (region.peers_size() > 0) {
    state.set_applied_index(kRaftInitLogIndex);
    state.mutable_truncated_state()->set_index(kRaftInitLogIndex);
    state.mutable_truncated_state()->set_term(kRaftInitLogTerm);
  }
  return state;
}

void WriteRegionState(kv::WriteBatch* wb, const metapb::Region& region,
                      raft_serverpb::PeerState state) {
  raft_serverpb::RegionLocalState rs;
  rs.set_state(state);
  *rs.mutable_region() = region;
  wb->SetMeta(RegionStateKey(region.id()), rs);
}

}  // namespace raftstore::meta
