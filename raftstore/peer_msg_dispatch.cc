// PeerMsgHandler: the given half (framework). Dispatching messages, ticks, and the checks a
// command passes before it is proposed. Compiled together with the student's
// peer_msg_handler.h (or the reference's), so keep to the members that header declares as
// given.

#include "raft/util.h"
#include "raftstore/peer_msg_handler.h"
#include "raftstore/util/checks.h"
#include "raftstore/util/cmd_resp.h"

namespace raftstore {

void PeerMsgHandler::HandleMsg(Msg& msg) {
  if (auto* m = std::get_if<MsgRaftMessage>(&msg)) {
    onRaftMsg(m->message);
  } else if (auto* m = std::get_if<MsgRaftCmd>(&msg)) {
    if (RegionError err = preProposeRaftCommand(m->request)) {
      raft_cmdpb::RaftCmdResponse resp = ErrResp(err);
      BindRespTerm(&resp, peer_->Term());
      m->callback.Done(resp);
      return;
    }
    proposeRaftCommand(m->request, std::move(m->callback));
  } else if (std::holds_alternative<MsgTick>(msg)) {
    onTick();
  } else if (std::holds_alternative<MsgStart>(msg)) {
    startTicker();
  }
}

bool PeerMsgHandler::validateRaftMessage(const raft_serverpb::RaftMessage& msg) const {
  if (msg.to_peer().store_id() != ctx_->store_id()) {
    peer_->log->warn("store not match: message for store {} reached store {}",
                     msg.to_peer().store_id(), ctx_->store_id());
    return false;
  }
  if (msg.region_id() != peer_->RegionId()) return false;
  if (msg.to_peer().id() != peer_->PeerId()) {
    peer_->log->warn("message for peer {} reached peer {}", msg.to_peer().id(), peer_->PeerId());
    return false;
  }
  return true;
}

void PeerMsgHandler::onRaftMsg(const raft_serverpb::RaftMessage& msg) {
  if (peer_->stopped || !validateRaftMessage(msg)) return;
  peer_->InsertPeerCache(msg.from_peer());
  raft::Error err = peer_->raft_group->Step(msg.message());
  if (err) {
    peer_->log->debug("step {}: {}", raft::DescribeMessage(msg.message()), err.ToString());
  }
}

void PeerMsgHandler::onTick() {
  if (peer_->stopped) return;
  peer_->ticker.TickClock();
  if (peer_->ticker.IsOnTick(PeerTick::kRaft)) onRaftBaseTick();
}

void PeerMsgHandler::onRaftBaseTick() {
  peer_->raft_group->Tick();
  peer_->ticker.Schedule(PeerTick::kRaft);
}

void PeerMsgHandler::startTicker() { peer_->ticker.Schedule(PeerTick::kRaft); }

RegionError PeerMsgHandler::preProposeRaftCommand(const raft_cmdpb::RaftCmdRequest& req) const {
  const uint64_t store_id = req.header().peer().store_id();
  if (store_id != ctx_->store_id()) return ErrStoreNotMatch(store_id, ctx_->store_id());
  if (!peer_->IsLeader()) {
    std::optional<metapb::Peer> leader = peer_->GetPeerFromCache(peer_->LeaderId());
    return ErrNotLeader(peer_->RegionId(), leader ? &*leader : nullptr);
  }
  if (req.header().peer().id() != peer_->PeerId()) {
    return ErrOther("mismatch peer id " + std::to_string(req.header().peer().id()) +
                    " != " + std::to_string(peer_->PeerId()));
  }
  // A command built for a term more than one behind may have been meant for a leader that no
  // longer is; let the client refresh (TinyKV's CheckTerm).
  if (req.header().term() != 0 && req.header().term() + 1 < peer_->Term()) {
    return ErrStaleCommand();
  }
  if (RegionError err = CheckRegionEpoch(req, peer_->Region(), true)) return err;
  for (const raft_cmdpb::Request& r : req.requests()) {
    const std::string* key = nullptr;
    switch (r.cmd_type()) {
      case raft_cmdpb::Get:
        key = &r.get().key();
        break;
      case raft_cmdpb::Put:
        key = &r.put().key();
        break;
      case raft_cmdpb::Delete:
        key = &r.delete_().key();
        break;
      default:
        break;
    }
    if (key != nullptr) {
      if (RegionError err = CheckKeyInRegion(*key, peer_->Region())) return err;
    }
  }
  return RegionError();
}

}  // namespace raftstore
