#pragma once

// Reading and writing raftstore's own state in the engines (TinyKV's meta/values.go):
//
//   raft engine: RaftLocalState (hard state + last log position) and the log entries;
//   kv engine:   RaftApplyState (applied index, truncated state) and RegionLocalState.
//
// Every value is a protobuf stored with SetMeta/GetMeta (the engines' meta column family),
// under the keys of keys.h. A missing value is an empty optional, not an error.

#include <cstdint>
#include <optional>

#include "kv/engine_util/engine.h"
#include "kv/engine_util/status.h"
#include "kv/engine_util/write_batch.h"
#include "proto/eraftpb.pb.h"
#include "proto/metapb.pb.h"
#include "proto/raft_serverpb.pb.h"

namespace raftstore::meta {

kv::Result<std::optional<raft_serverpb::RegionLocalState>> GetRegionLocalState(const kv::Engine& kv,
                                                                               uint64_t region_id);
kv::Result<std::optional<raft_serverpb::RaftLocalState>> GetRaftLocalState(const kv::Engine& raft,
                                                                           uint64_t region_id);
kv::Result<std::optional<raft_serverpb::RaftApplyState>> GetApplyState(const kv::Engine& kv,
                                                                       uint64_t region_id);
kv::Result<std::optional<eraftpb::Entry>> GetRaftEntry(const kv::Engine& raft, uint64_t region_id,
                                                       uint64_t index);

// The region's RaftLocalState as stored; when there is none, the initial state of a region
// that has peers (last index and term kRaftInitLogIndex/Term, committed up to it), or an
// empty state for a peer that was created uninitialized.
kv::Result<raft_serverpb::RaftLocalState> InitRaftLocalState(const kv::Engine& raft,
                                                             const metapb::Region& region);
// The region's RaftApplyState as stored, or the initial one (applied and truncated at
// kRaftInitLogIndex) for a region that has peers.
kv::Result<raft_serverpb::RaftApplyState> InitApplyState(const kv::Engine& kv,
                                                         const metapb::Region& region);

// Adds the region's RegionLocalState to `wb`.
void WriteRegionState(kv::WriteBatch* wb, const metapb::Region& region,
                      raft_serverpb::PeerState state);

}  // namespace raftstore::meta
