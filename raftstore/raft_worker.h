#pragma once

// RaftWorker: the loop that drives every peer of a store (TinyKV's raft_worker.go), written
// as tasks on the store's "raft" queue of the runtime. Each message for a peer is one task
// that runs the peer's handler on it; the first message after a quiet spell also queues a
// "ready" task behind it, which calls HandleRaftReady for every peer that got a message in
// between. So, as in TinyKV, a burst of messages is handled as a batch before the Readys they
// produced, and every peer that changed gets its Ready handled.

#include <cstdint>
#include <memory>
#include <set>

#include "raftstore/global_context.h"
#include "raftstore/message/msg.h"
#include "raftstore/router.h"

namespace raftstore {

class RaftWorker {
 public:
  RaftWorker(GlobalContext* ctx, Router* router) : ctx_(ctx), router_(router) {}

  // Runs on the raft queue: hands `msg` to the region's peer, then makes sure its Ready is
  // handled after this batch.
  void Handle(uint64_t region_id, Msg& msg);
  // Runs on the raft queue: one base tick for every peer.
  void TickAll();

  // Called on the raft queue by the "ready" task: HandleRaftReady for the peers that need it.
  void HandleReadys();

  // The RaftStore sets this: queues a task on the raft queue that calls HandleReadys.
  std::function<void()> post_ready;

 private:
  void markReady(uint64_t region_id);

  GlobalContext* ctx_;
  Router* router_;
  std::set<uint64_t> pending_ready_;
  bool ready_posted_ = false;
};

}  // namespace raftstore
