#include "raftstore/raft_worker.h"

#include "raftstore/peer_msg_handler.h"

namespace raftstore {

void RaftWorker::Handle(uint64_t region_id, Msg& msg) {
  Peer* peer = router_->Get(region_id);
  if (peer == nullptr) return;  // the peer went away while the message was queued
  PeerMsgHandler(peer, ctx_).HandleMsg(msg);
  markReady(region_id);
}

void RaftWorker::TickAll() {
  for (uint64_t region_id : router_->RegionIds()) {
    Msg tick = MsgTick{};
    Handle(region_id, tick);
  }
}

void RaftWorker::markReady(uint64_t region_id) {
  pending_ready_.insert(region_id);
  if (!ready_posted_) {
    ready_posted_ = true;
    post_ready();
  }
}

void RaftWorker::HandleReadys() {
  ready_posted_ = false;
  std::set<uint64_t> regions;
  regions.swap(pending_ready_);
  for (uint64_t region_id : regions) {
    if (Peer* peer = router_->Get(region_id)) PeerMsgHandler(peer, ctx_).HandleRaftReady();
  }
}

}  // namespace raftstore
