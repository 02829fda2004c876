#pragma once

// RaftStore: one store of the cluster (TinyKV's Raftstore and Node, as far as lab 2B needs
// them). Start loads every region this store has a peer of from the kv engine, creates the
// peers, and starts the raft worker and the ticker on the runtime. Everything a store does
// afterwards happens in tasks on its queues.

#include <cstdint>
#include <memory>

#include "kv/engine_util/engines.h"
#include "kv/engine_util/status.h"
#include "proto/metapb.pb.h"
#include "raftstore/config.h"
#include "raftstore/global_context.h"
#include "raftstore/raft_worker.h"
#include "raftstore/router.h"
#include "raftstore/runtime/runtime.h"
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

 private:
  void scheduleTick();

  GlobalContext ctx_;
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
