#include "raftstore/bootstrap.h"

#include "kv/engine_util/cf.h"
#include "kv/engine_util/cf_iterator.h"
#include "raftstore/meta/keys.h"
#include "raftstore/meta/values.h"

namespace raftstore {

namespace {

// True when no column family of `engine` holds any key.
kv::Result<bool> IsEmpty(const kv::Engine& engine) {
  for (const std::string& cf : engine.column_families()) {
    auto it = engine.NewIterator(cf);
    if (!it.ok()) return it.status();
    it.value()->SeekToFirst();
    if (it.value()->Valid()) return false;
    KV_RETURN_IF_ERROR(it.value()->status());
  }
  return true;
}

}  // namespace

kv::Status BootstrapStore(kv::Engines& engines, uint64_t cluster_id, uint64_t store_id) {
  for (const kv::Engine* engine : {engines.kv.get(), engines.raft.get()}) {
    kv::Result<bool> empty = IsEmpty(*engine);
    if (!empty.ok()) return empty.status();
    if (!empty.value()) {
      return kv::Status::InvalidArgument("bootstrap store " + std::to_string(store_id) + ": " +
                                         engine->path() + " is not empty");
    }
  }
  raft_serverpb::StoreIdent ident;
  ident.set_cluster_id(cluster_id);
  ident.set_store_id(store_id);
  return engines.kv->PutMeta(meta::StoreIdentKey(), ident, /*sync=*/true);
}

kv::Result<std::optional<raft_serverpb::StoreIdent>> GetStoreIdent(const kv::Engines& engines) {
  raft_serverpb::StoreIdent ident;
  kv::Result<bool> found = engines.kv->GetMeta(meta::StoreIdentKey(), &ident);
  if (!found.ok()) return found.status();
  if (!found.value()) return std::optional<raft_serverpb::StoreIdent>();
  return std::optional<raft_serverpb::StoreIdent>(ident);
}

kv::Status PrepareBootstrapCluster(kv::Engines& engines, const metapb::Region& region) {
  auto existing = meta::GetRegionLocalState(*engines.kv, region.id());
  if (!existing.ok()) return existing.status();
  if (existing.value().has_value()) {
    return kv::Status::InvalidArgument("region " + std::to_string(region.id()) +
                                       " is already bootstrapped on this store");
  }
  kv::WriteBatch kv_wb;
  raft_serverpb::RegionLocalState state;
  *state.mutable_region() = region;
  kv_wb.SetMeta(meta::PrepareBootstrapKey(), state);
  meta::WriteRegionState(&kv_wb, region, raft_serverpb::Normal);
  raft_serverpb::RaftApplyState apply;
  apply.set_applied_index(meta::kRaftInitLogIndex);
  apply.mutable_truncated_state()->set_index(meta::kRaftInitLogIndex);
  apply.mutable_truncated_state()->set_term(meta::kRaftInitLogTerm);
  kv_wb.SetMeta(meta::ApplyStateKey(region.id()), apply);
  KV_RETURN_IF_ERROR(engines.WriteKV(kv_wb, /*sync=*/true));

  kv::WriteBatch raft_wb;
  raft_serverpb::RaftLocalState raft_state;
  raft_state.set_last_index(meta::kRaftInitLogIndex);
  raft_state.set_last_term(meta::kRaftInitLogTerm);
  raft_state.mutable_hard_state()->set_term(meta::kRaftInitLogTerm);
  raft_state.mutable_hard_state()->set_commit(meta::kRaftInitLogIndex);
  raft_wb.SetMeta(meta::RaftStateKey(region.id()), raft_state);
  return engines.WriteRaft(raft_wb, /*sync=*/true);
}

kv::Status ClearPrepareBootstrapState(kv::Engines& engines) {
  kv::WriteBatch wb;
  wb.DeleteMeta(meta::PrepareBootstrapKey());
  return engines.WriteKV(wb, /*sync=*/true);
}

}  // namespace raftstore
