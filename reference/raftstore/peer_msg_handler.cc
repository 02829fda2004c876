// PeerMsgHandler: the student half (2B), complete. The given half is in
// raftstore/peer_msg_dispatch.cc.

#include "raftstore/peer_msg_handler.h"

#include <cstdlib>

#include "kv/engine_util/cf.h"
#include "raft/util.h"
#include "raftstore/meta/keys.h"
#include "raftstore/util/checks.h"
#include "raftstore/util/cmd_resp.h"

namespace raftstore {

void PeerMsgHandler::proposeRaftCommand(const raft_cmdpb::RaftCmdRequest& msg, Callback cb) {
  // The entry will land at the end of the leader's log, in the current term; that pair is
  // how HandleRaftReady recognises it (or sees it was overwritten).
  Proposal p{peer_->NextProposalIndex(), peer_->Term(), std::move(cb)};
  raft::Error err = peer_->raft_group->Propose(msg.SerializeAsString());
  if (err) {
    raft_cmdpb::RaftCmdResponse resp = ErrResp(ErrOther("propose: " + err.ToString()));
    BindRespTerm(&resp, peer_->Term());
    p.cb.Done(resp);
    return;
  }
  peer_->proposals.push_back(std::move(p));
}

void PeerMsgHandler::HandleRaftReady() {
  if (peer_->stopped || !peer_->raft_group->HasReady()) return;
  raft::Ready rd = peer_->raft_group->Ready();

  // Persist first: a message may only promise what is on disk.
  auto saved = peer_->peer_storage->SaveReadyState(rd);
  if (!saved.ok()) {
    peer_->log->critical("save ready state: {}", saved.status().ToString());
    std::abort();
  }
  if (saved.value().has_value()) {
    // A snapshot replaced the peer's state; its region (the same one in these labs, possibly
    // another epoch in project 3) is now the peer's.
    const metapb::Region& region = saved.value()->region;
    peer_->SetRegion(region);
    for (const metapb::Peer& p : region.peers()) peer_->InsertPeerCache(p);
    // Proposals at or below the snapshot's index will never be applied here one by one (this
    // peer lost leadership and its log was replaced): answer them now, as the next applied
    // entry would, instead of leaving them until another entry is committed.
    auto& proposals = peer_->proposals;
    while (!proposals.empty() && proposals.front().index <= rd.snapshot.metadata().index()) {
      proposals.front().cb.Done(ErrRespStaleCommand(peer_->Term()));
      proposals.pop_front();
    }
    answerProposalsOlderThan(rd.snapshot.metadata().term());
    peer_->log->info("applied snapshot at {}@{}", rd.snapshot.metadata().term(),
                     rd.snapshot.metadata().index());
  }
  peer_->Send(ctx_->trans, std::move(rd.messages));  // Advance does not look at them
  for (const eraftpb::Entry& e : rd.committed_entries) {
    applyEntry(e);
    if (peer_->stopped) return;
  }
  peer_->raft_group->Advance(rd);
}

void PeerMsgHandler::applyEntry(const eraftpb::Entry& entry) {
  kv::WriteBatch wb;
  raft_cmdpb::RaftCmdResponse resp = NewCmdResp();
  bool wants_snap = false;
  bool compacted = false;
  if (entry.entry_type() == eraftpb::EntryNormal && !entry.data().empty()) {
    // A committed entry is the same on every replica, and so is the state it is checked
    // against (region, apply state): a command refused here is refused everywhere, applied as
    // a no-op that only moves the applied index, and its proposer gets the error.
    raft_cmdpb::RaftCmdRequest req;
    RegionError bad;
    if (!req.ParseFromString(entry.data())) {
      bad =
          ErrOther("entry " + std::to_string(entry.index()) + " does not hold a RaftCmdRequest (" +
                   std::to_string(entry.data().size()) + " bytes)");
    } else {
      bad = checkCommand(req, entry);
    }
    if (bad) {
      peer_->log->warn("entry {} applied as a no-op: {}", entry.index(), bad.ToString());
      resp = ErrResp(bad);
    } else if (req.has_admin_request()) {
      compacted = processAdminRequest(req.admin_request(), &resp);
    } else {
      applyRequests(req, &wb, &resp, &wants_snap);
    }
  }
  peer_->peer_storage->apply_state.set_applied_index(entry.index());
  wb.SetMeta(meta::ApplyStateKey(peer_->RegionId()), peer_->peer_storage->apply_state);
  kv::Status s = ctx_->engines->WriteKV(wb);
  if (!s.ok()) {
    peer_->log->critical("apply entry {}: {}", entry.index(), s.ToString());
    std::abort();
  }
  // Only now that the new truncated state is on disk may the entries go.
  if (compacted) ScheduleCompactLog(peer_->peer_storage->TruncatedIndex());
  if (!peer_->proposals.empty()) answerProposals(entry, std::move(resp), wants_snap);
}

RegionError PeerMsgHandler::checkCommand(const raft_cmdpb::RaftCmdRequest& req,
                                         const eraftpb::Entry& entry) const {
  if (req.header().region_id() != peer_->RegionId()) {
    return ErrRegionNotFound(req.header().region_id());
  }
  // The epoch may have moved on between proposal and commit (not in these labs, but in
  // project 3): checked again here, as TinyKV does.
  if (RegionError err = CheckRegionEpoch(req, peer_->Region(), true)) return err;
  if (req.has_admin_request()) {
    if (req.requests_size() > 0)
      return ErrOther("a command holds both requests and an admin request");
    const raft_cmdpb::AdminRequest& admin = req.admin_request();
    if (admin.cmd_type() != raft_cmdpb::CompactLog)
      return RegionError();  // answered as unsupported
    // A CompactLog may only name an entry of this log that is already applied (it precedes its
    // own entry), with the term that entry has: anything else would truncate entries still
    // needed or record a truncated state that disagrees with the log.
    const uint64_t index = admin.compact_log().compact_index();
    const uint64_t term = admin.compact_log().compact_term();
    if (index <= peer_->peer_storage->TruncatedIndex()) return RegionError();  // changes nothing
    if (index >= entry.index()) {
      return ErrOther("CompactLog to index " + std::to_string(index) + " in entry " +
                      std::to_string(entry.index()) + ": not an applied entry");
    }
    raft::Result<uint64_t> actual = peer_->peer_storage->Term(index);
    if (!actual.ok() || actual.value() != term) {
      return ErrOther("CompactLog to " + std::to_string(term) + "@" + std::to_string(index) +
                      ": the log has " +
                      (actual.ok() ? "term " + std::to_string(actual.value()) : "no such entry"));
    }
    return RegionError();
  }
  for (const raft_cmdpb::Request& r : req.requests()) {
    const std::string* cf = nullptr;
    const std::string* key = nullptr;
    switch (r.cmd_type()) {
      case raft_cmdpb::Get:
        cf = &r.get().cf();
        key = &r.get().key();
        break;
      case raft_cmdpb::Put:
        cf = &r.put().cf();
        key = &r.put().key();
        break;
      case raft_cmdpb::Delete:
        cf = &r.delete_().cf();
        key = &r.delete_().key();
        break;
      case raft_cmdpb::Snap:
        break;
      default:
        return ErrOther("unknown command type " + std::to_string(r.cmd_type()));
    }
    if (cf != nullptr && !cf->empty() && !kv::IsDataCf(*cf)) {
      return ErrOther("unknown column family \"" + kv::HexKey(*cf) + "\"");
    }
    if (key != nullptr) {
      if (RegionError err = CheckKeyInRegion(*key, peer_->Region())) return err;
    }
  }
  return RegionError();
}

bool PeerMsgHandler::processAdminRequest(const raft_cmdpb::AdminRequest& req,
                                         raft_cmdpb::RaftCmdResponse* resp) {
  switch (req.cmd_type()) {
    case raft_cmdpb::CompactLog: {
      raft_serverpb::RaftTruncatedState* truncated =
          peer_->peer_storage->apply_state.mutable_truncated_state();
      resp->mutable_admin_response()->set_cmd_type(raft_cmdpb::CompactLog);
      resp->mutable_admin_response()->mutable_compact_log();
      // A CompactLog proposed before a snapshot moved the log's start past it: nothing to do.
      if (req.compact_log().compact_index() <= truncated->index()) return false;
      truncated->set_index(req.compact_log().compact_index());
      truncated->set_term(req.compact_log().compact_term());
      return true;
    }
    default:
      *resp = ErrResp(ErrOther("admin command " + raft_cmdpb::AdminCmdType_Name(req.cmd_type()) +
                               " not supported"));
      return false;
  }
}

void PeerMsgHandler::applyRequests(const raft_cmdpb::RaftCmdRequest& req, kv::WriteBatch* wb,
                                   raft_cmdpb::RaftCmdResponse* resp, bool* wants_snap) {
  kv::Engine& kv = *ctx_->engines->kv;
  for (const raft_cmdpb::Request& r : req.requests()) {
    raft_cmdpb::Response* out = resp->add_responses();
    out->set_cmd_type(r.cmd_type());
    switch (r.cmd_type()) {
      case raft_cmdpb::Put:
        wb->SetCF(r.put().cf().empty() ? kv::kCfDefault : r.put().cf(), r.put().key(),
                  r.put().value());
        out->mutable_put();
        break;
      case raft_cmdpb::Delete:
        wb->DeleteCF(r.delete_().cf().empty() ? kv::kCfDefault : r.delete_().cf(),
                     r.delete_().key());
        out->mutable_delete_();
        break;
      case raft_cmdpb::Get: {
        // A read must see the writes of the requests before it in the same command.
        if (!wb->empty()) {
          kv::Status s = ctx_->engines->WriteKV(*wb);
          if (!s.ok()) {
            peer_->log->critical("apply: {}", s.ToString());
            std::abort();
          }
          wb->Reset();
        }
        auto v = kv.GetCF(r.get().cf().empty() ? kv::kCfDefault : r.get().cf(), r.get().key());
        if (!v.ok()) {
          *resp = ErrResp(ErrOther(v.status().ToString()));
          return;
        }
        if (v.value().has_value())
          out->mutable_get()->set_value(*v.value());
        else
          out->mutable_get();
        break;
      }
      case raft_cmdpb::Snap:
        *out->mutable_snap()->mutable_region() = peer_->Region();
        *wants_snap = true;
        break;
      default:
        *resp = ErrResp(ErrOther("unknown command type " + std::to_string(r.cmd_type())));
        return;
    }
  }
}

void PeerMsgHandler::answerProposals(const eraftpb::Entry& entry, raft_cmdpb::RaftCmdResponse resp,
                                     bool wants_snap) {
  // First: a deposed leader's dead proposal may sit ahead of a later term's at a lower index.
  answerProposalsOlderThan(entry.term());
  auto& proposals = peer_->proposals;
  while (!proposals.empty() && proposals.front().index <= entry.index()) {
    Proposal p = std::move(proposals.front());
    proposals.pop_front();
    if (p.index == entry.index() && p.term == entry.term()) {
      BindRespTerm(&resp, peer_->Term());
      if (wants_snap && !RespError(resp)) {
        auto snap = ctx_->engines->kv->NewSnapshot();
        if (!snap.ok()) {
          p.cb.Done(ErrResp(ErrOther(snap.status().ToString())));
          continue;
        }
        p.cb.txn = std::shared_ptr<kv::EngineSnapshot>(std::move(snap).value());
      }
      p.cb.Done(resp);
    } else {
      // Another entry took this proposal's place: it will never be applied.
      p.cb.Done(ErrRespStaleCommand(peer_->Term()));
    }
  }
}

void PeerMsgHandler::answerProposalsOlderThan(uint64_t committed_term) {
  // A committed entry of term T sits in every future log, and a log's terms never decrease:
  // no entry of an older term can ever follow it, so a proposal of an older term at a later
  // index is dead. Without this, a deposed leader's proposals past the new leader's last
  // index would wait for an entry at their index that an idle cluster never writes (the
  // callback audit's "never answered", found by the soak: hidden_crash_2c_test seed 343).
  auto& proposals = peer_->proposals;
  while (!proposals.empty() && proposals.front().term < committed_term) {
    proposals.front().cb.Done(ErrRespStaleCommand(peer_->Term()));
    proposals.pop_front();
  }
}

}  // namespace raftstore
