#pragma once

// RaftStore: one store of the cluster (TinyKV's Raftstore and Node, as far as labs 2B and 2C
// need them). Start loads every region this store has a peer of from the kv engine, creates
// the peers, and starts the raft worker and the ticker on the runtime, with the store's
// snapshot files (SnapManager, in <engines' directory>/snap), its region worker and its
// raftlog-gc worker (2C). Everything a store does afterwards happens in tasks on its queues.

#include <cstdint>
#include <memory>

#include "kv/engine_util/engines.h"
#include "kv/engine_util/status.h"
#include "proto/metapb.pb.h"
#include "raftstore/config.h"
#include "raftstore/global_context.h"
#include "raftstore/raft_worker.h"
#include "raftstore/router.h"
#include "raftstore/runner/raftlog_gc_task.h"
#include "raftstore/runner/region_task.h"
#include "raftstore/runtime/runtime.h"
#include "raftstore/snap/snap_manager.h"
#include "raftstore/snap_transport.h"
#include "raftstore/transport.h"

namespace raftstore {

class RaftStore {
 public:
  // `engines`, `trans` and `rt` are not owned and must outlive the store.
  RaftStore(const Config& cfg, const metapb::Store& store, kv::Engines* engines, Transport* trans,
            runtime::Runtime* rt);
  ~RaftStore();
  RaftStore(const RaftStore&) = delete;
  RaftStore& operator=(const RaftStore&) = delete;

  // Loads the peers and starts ticking. Errors: the engines could not be read, or a peer could
  // not be created from what they hold.
  kv::Status Start();
  // Stops ticking and destroys the peers; unanswered callbacks are dropped unanswered, as a
  // crash would. Tasks already queued for the store find nothing to do.
  void Stop();

  // Hands `msg` to the region's peer at once, without queueing it first. Only for code already
  // running in a task on this store's raft queue (the simulated network's deliveries): it
  // saves a hop through the queue. A command for a region the store has no peer of is answered
  // with RegionNotFound.
  void DeliverOnRaftQueue(uint64_t region_id, Msg msg);

  uint64_t store_id() const { return ctx_.store_id(); }
  Router& router() { return *router_; }
  GlobalContext& ctx() { return ctx_; }
  bool running() const { return running_; }

  // Lab 2C workers, for tests and the demo (null before Start).
  runner::RegionTaskHandler* region_worker() { return region_worker_.get(); }
  runner::RaftLogGCTaskHandler* raftlog_gc_worker() { return raftlog_gc_worker_.get(); }
  snap::SnapManager* snap_mgr() { return snap_mgr_.get(); }
  SnapTransport* snap_transport() { return snap_trans_.get(); }
  // Faults for the region worker's snapshot generation (tests); kept across restarts.
  void set_region_faults(const runner::RegionTaskFaults& faults);

 private:
  void scheduleTick();

  GlobalContext ctx_;
  Transport* trans_;  // the transport given; ctx_.trans wraps it in snap_trans_
  runner::RegionTaskFaults region_faults_;
  // Lab 2C: declared before core_, so they outlive the peers that point at them.
  std::unique_ptr<snap::SnapManager> snap_mgr_;
  std::unique_ptr<SnapTransport> snap_trans_;
  std::unique_ptr<runner::RegionTaskHandler> region_worker_;
  std::unique_ptr<runner::RaftLogGCTaskHandler> raftlog_gc_worker_;
  // Tasks queued on the runtime hold a weak reference to this: once the store is stopped or
  // gone, they do nothing.
  struct Core {
    std::unique_ptr<Router> router;
    std::unique_ptr<RaftWorker> worker;
  };
  std::shared_ptr<Core> core_;
  Router* router_ = nullptr;
  runtime::TimerId tick_timer_ = 0;
  bool running_ = false;
};

}  // namespace raftstore
