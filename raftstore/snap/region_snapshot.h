#pragma once

// A region's data as a snapshot, and back: what the region worker does for RegionTaskGen
// and RegionTaskApply (lab 2C).
//
// BuildRegionSnapshot writes, for every data column family (default, lock, write), one
// RocksDB SST file holding the region's keys [start_key, end_key) exactly as a consistent
// engine snapshot sees them, and describes the files (size, CRC-32C) in RaftSnapshotData,
// which travels as eraftpb.Snapshot.data.
//
// IngestRegionSnapshot replaces the region's keys in a kv engine with the snapshot's: it
// verifies every file (size and checksum against the metadata, then its contents: only puts
// of keys inside the region, in order, every block intact) while copying what it reads into a
// kv::RangeReplacement, which then clears the region's range in every data column family and
// adds the copied pairs in one write. A damaged or hostile snapshot, an error half way or a
// crash changes nothing.

#include "kv/engine_util/engine.h"
#include "kv/engine_util/snapshot.h"
#include "kv/engine_util/status.h"
#include "proto/metapb.pb.h"
#include "proto/raft_serverpb.pb.h"
#include "raftstore/snap/snap_key.h"
#include "raftstore/snap/snap_manager.h"

namespace raftstore::snap {

kv::Result<raft_serverpb::RaftSnapshotData> BuildRegionSnapshot(const kv::EngineSnapshot& engine,
                                                                const metapb::Region& region,
                                                                const SnapKey& key,
                                                                const SnapManager& manager);

kv::Status IngestRegionSnapshot(kv::Engine& kv_engine, const SnapKey& key,
                                const raft_serverpb::RaftSnapshotData& data,
                                const SnapManager& manager);

}  // namespace raftstore::snap
