#pragma once

// Bootstrapping a store and the cluster's first region (TinyKV's bootstrap.go). A brand-new
// store's engines are empty; BootstrapStore stamps them with the store's identity, and
// PrepareBootstrapCluster writes the first region's initial state on every store that holds a
// peer of it, so that each peer starts with the same log position (kRaftInitLogIndex) and
// elects a leader among the region's peers.

#include <cstdint>
#include <optional>

#include "kv/engine_util/engines.h"
#include "kv/engine_util/status.h"
#include "proto/metapb.pb.h"
#include "proto/raft_serverpb.pb.h"

namespace raftstore {

// Writes the StoreIdent into the kv engine. kInvalidArgument when the engines are not empty
// (already bootstrapped, or holding data of another store).
kv::Status BootstrapStore(kv::Engines& engines, uint64_t cluster_id, uint64_t store_id);

// The store's identity, if it was bootstrapped.
kv::Result<std::optional<raft_serverpb::StoreIdent>> GetStoreIdent(const kv::Engines& engines);

// Writes `region`'s initial state: RegionLocalState and RaftApplyState (kv engine, with the
// prepare-bootstrap marker) and RaftLocalState (raft engine). kInvalidArgument when the store
// already holds state for that region.
kv::Status PrepareBootstrapCluster(kv::Engines& engines, const metapb::Region& region);

// Removes the prepare-bootstrap marker once the cluster knows about the region.
kv::Status ClearPrepareBootstrapState(kv::Engines& engines);

}  // namespace raftstore
