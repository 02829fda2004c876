#pragma once

// What every peer of a store shares (TinyKV's GlobalContext): the store's configuration and
// identity, its engines, the transport to other stores and the runtime its workers run on.
// Owned by the store; peers and handlers keep a pointer.

#include "kv/engine_util/engines.h"
#include "proto/metapb.pb.h"
#include "raftstore/config.h"
#include "raftstore/runtime/runtime.h"
#include "raftstore/transport.h"

namespace raftstore::runner {
class RegionTaskHandler;
class RaftLogGCTaskHandler;
}  // namespace raftstore::runner
namespace raftstore::snap {
class SnapManager;
}  // namespace raftstore::snap

namespace raftstore {

struct GlobalContext {
  Config cfg;
  metapb::Store store;
  kv::Engines* engines = nullptr;
  Transport* trans = nullptr;
  runtime::Runtime* rt = nullptr;
  // Lab 2C: where the store keeps snapshots' files, its region worker (generate / apply
  // snapshots) and its raftlog-gc worker (delete compacted log entries). Owned by the store.
  snap::SnapManager* snap_mgr = nullptr;
  runner::RegionTaskHandler* region_worker = nullptr;
  runner::RaftLogGCTaskHandler* raftlog_gc_worker = nullptr;

  uint64_t store_id() const { return store.id(); }
  // The queue of the store's raft worker: every peer's messages and Ready run there.
  runtime::QueueId RaftQueue() const { return {store.id(), "raft"}; }
};

}  // namespace raftstore
