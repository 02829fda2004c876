// PeerMsgHandler: the given half (framework). Dispatching messages, ticks, and the checks a
// command passes before it is proposed. Compiled together with the student's
// peer_msg_handler.h (or the reference's), so keep to the members that header declares as
// given.

#include "raft/util.h"
#include "raftstore/peer_msg_handler.h"
#include "raftstore/runner/raftlog_gc_task.h"
#include "raftstore/snap/snap_manager.h"
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
  if ((msg.has_snap_chunk() || msg.message().msg_type() == eraftpb::MsgSnapshot) &&
      !onSnapshotTransfer(msg)) {
    return;
  }
  raft::Error err = peer_->raft_group->Step(msg.message());
  if (err) {
    peer_->log->debug("step {}: {}", raft::DescribeMessage(msg.message()), err.ToString());
  }
}

bool PeerMsgHandler::onSnapshotTransfer(const raft_serverpb::RaftMessage& msg) {
  snap::SnapManager* mgr = ctx_->snap_mgr;
  if (mgr == nullptr) return !msg.has_snap_chunk();  // a store without snapshot files
  const eraftpb::Snapshot& snapshot = msg.message().snapshot();
  raft_serverpb::RaftSnapshotData data;
  if (!data.ParseFromString(snapshot.data())) {
    peer_->log->warn("snapshot from {} without RaftSnapshotData: dropped", msg.from_peer().id());
    return false;
  }
  const snap::SnapKey key{msg.region_id(), snapshot.metadata().term(), snapshot.metadata().index()};
  if (msg.has_snap_chunk()) {
    kv::Status s = mgr->ReceiveChunk(msg.snap_chunk(), data);
    // A refused chunk drops the partial files; the rest of this transfer fails the same way
    // and its MsgSnapshot is not stepped, so the leader sends the snapshot again.
    if (!s.ok()) peer_->log->debug("{}", s.ToString());
    return false;
  }
  kv::Status s = mgr->FinishReceive(key, data);
  if (!s.ok()) {
    peer_->log->info("MsgSnapshot {} from {} not stepped: {}", key.ToString(), msg.from_peer().id(),
                     s.ToString());
    return false;
  }
  return true;
}

void PeerMsgHandler::onTick() {
  if (peer_->stopped) return;
  peer_->ticker.TickClock();
  if (peer_->ticker.IsOnTick(PeerTick::kRaft)) onRaftBaseTick();
  if (peer_->ticker.IsOnTick(PeerTick::kRaftLogGc)) onRaftGcLogTick();
}

void PeerMsgHandler::onRaftGcLogTick() {
  peer_->ticker.Schedule(PeerTick::kRaftLogGc);
  if (ctx_->snap_mgr != nullptr) {
    ctx_->snap_mgr->DropStaleReceived(peer_->RegionId(), peer_->peer_storage->AppliedIndex());
  }
  if (!peer_->IsLeader()) return;
  const uint64_t applied = peer_->peer_storage->AppliedIndex();
  const uint64_t first = peer_->peer_storage->TruncatedIndex() + 1;
  if (applied <= first || applied - first < ctx_->cfg.raft_log_gc_count_limit) return;
  // Keep the applied entry itself, as TinyKV: compact everything before it.
  const uint64_t compact_idx = applied - 1;
  if (compact_idx < first) return;
  raft::Result<uint64_t> term = peer_->raft_group->raft->raft_log.Term(compact_idx);
  if (!term.ok()) {
    peer_->log->warn("raft log gc: term of {}: {}", compact_idx, term.error().ToString());
    return;
  }
  raft_cmdpb::RaftCmdRequest req;
  req.mutable_header()->set_region_id(peer_->RegionId());
  *req.mutable_header()->mutable_peer() = peer_->meta;
  raft_cmdpb::AdminRequest* admin = req.mutable_admin_request();
  admin->set_cmd_type(raft_cmdpb::CompactLog);
  admin->mutable_compact_log()->set_compact_index(compact_idx);
  admin->mutable_compact_log()->set_compact_term(term.value());
  // Nobody waits for the answer: the next tick proposes again if this one got lost.
  proposeRaftCommand(req, Callback());
}

void PeerMsgHandler::ScheduleCompactLog(uint64_t truncated_index) {
  runner::RaftLogGCTask task;
  task.region_id = peer_->RegionId();
  task.start_idx = peer_->last_compacted_idx;
  task.end_idx = truncated_index + 1;
  peer_->last_compacted_idx = task.end_idx;
  if (ctx_->raftlog_gc_worker != nullptr) ctx_->raftlog_gc_worker->Schedule(task);
}

void PeerMsgHandler::onRaftBaseTick() {
  peer_->raft_group->Tick();
  peer_->ticker.Schedule(PeerTick::kRaft);
}

void PeerMsgHandler::startTicker() {
  peer_->ticker.Schedule(PeerTick::kRaft);
  peer_->ticker.Schedule(PeerTick::kRaftLogGc);
}

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
