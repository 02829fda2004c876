#include "raft/rawnode.h"

#include <algorithm>
#include <utility>

#include "raft/util.h"

namespace raft {

RawNode::RawNode(const Config& config) : raft(std::make_unique<raft::Raft>(config)) {
  prev_soft_state_ = softState();
  prev_hard_state_ = raft->hardState();
}

SoftState RawNode::softState() const { return SoftState{raft->lead, raft->state}; }

void RawNode::Tick() { raft->tick(); }

Error RawNode::Campaign() {
  eraftpb::Message m;
  m.set_msg_type(eraftpb::MsgHup);
  return raft->Step(m);
}

Error RawNode::Propose(const std::string& data) { return Propose(std::string(data)); }

Error RawNode::Propose(std::string&& data) {
  eraftpb::Message m;
  m.set_msg_type(eraftpb::MsgPropose);
  m.set_from(raft->id);
  m.add_entries()->set_data(std::move(data));
  return raft->Step(std::move(m));
}

Error RawNode::ProposeConfChange(const eraftpb::ConfChange& cc) {
  eraftpb::Message m;
  m.set_msg_type(eraftpb::MsgPropose);
  eraftpb::Entry* e = m.add_entries();
  e->set_entry_type(eraftpb::EntryConfChange);
  e->set_data(cc.SerializeAsString());
  return raft->Step(m);
}

eraftpb::ConfState RawNode::ApplyConfChange(const eraftpb::ConfChange& cc) {
  if (cc.node_id() != None) {
    if (cc.change_type() == eraftpb::AddNode) raft->addNode(cc.node_id());
    if (cc.change_type() == eraftpb::RemoveNode) raft->removeNode(cc.node_id());
  }
  eraftpb::ConfState cs;
  for (const auto& [id, pr] : raft->prs) cs.add_nodes(id);
  return cs;
}

Error RawNode::refuseLocal(const eraftpb::Message& m) {
  // Local messages are the node's own business: a peer can never send them.
  if (IsLocalMsg(m.msg_type())) {
    return Error(ErrorCode::kOther, "cannot step a local message (MsgHup, MsgBeat) from a peer");
  }
  return {};
}

Error RawNode::Step(const eraftpb::Message& m) {
  if (Error e = refuseLocal(m); !e.ok()) return e;
  return raft->Step(m);
}

Error RawNode::Step(eraftpb::Message&& m) {
  if (Error e = refuseLocal(m); !e.ok()) return e;
  return raft->Step(std::move(m));
}

raft::Ready RawNode::Ready() {
  raft::Ready rd;
  const SoftState soft = softState();
  if (!(soft == prev_soft_state_)) rd.soft_state = soft;
  const eraftpb::HardState hard = raft->hardState();
  if (!IsHardStateEqual(hard, prev_hard_state_)) rd.hard_state = hard;
  rd.entries = raft->raft_log.unstableEntries();
  if (!IsEmptySnap(raft->raft_log.pending_snapshot)) rd.snapshot = raft->raft_log.pending_snapshot;
  rd.committed_entries = raft->raft_log.nextEnts();
  rd.messages = raft->msgs;
  return rd;
}

bool RawNode::HasReady() {
  const eraftpb::HardState hard = raft->hardState();
  return !(softState() == prev_soft_state_) ||
         (!IsEmptyHardState(hard) && !IsHardStateEqual(hard, prev_hard_state_)) ||
         !raft->msgs.empty() || raft->raft_log.LastIndex() > raft->raft_log.stabled ||
         !IsEmptySnap(raft->raft_log.pending_snapshot) ||
         raft->raft_log.committed > raft->raft_log.applied;
}

void RawNode::Advance(const raft::Ready& rd) {
  RaftLog& log = raft->raft_log;
  if (rd.soft_state) prev_soft_state_ = *rd.soft_state;
  if (!IsEmptyHardState(rd.hard_state)) prev_hard_state_ = rd.hard_state;
  if (!IsEmptySnap(rd.snapshot)) {
    log.stabled = std::max(log.stabled, rd.snapshot.metadata().index());
    // A newer snapshot may have arrived since this Ready; only clear the one handed out.
    if (log.pending_snapshot.metadata().index() == rd.snapshot.metadata().index()) {
      log.pending_snapshot = eraftpb::Snapshot();
    }
  }
  if (!rd.entries.empty()) {
    // Entries can be replaced by a new leader after Ready(); only what is still in the log
    // with the same term was persisted.
    const eraftpb::Entry& last = rd.entries.back();
    Result<uint64_t> t = log.Term(last.index());
    if (t.ok() && t.value() == last.term()) log.stabled = std::max(log.stabled, last.index());
  }
  if (!rd.committed_entries.empty()) {
    log.applied = std::max(log.applied, rd.committed_entries.back().index());
  }
  const size_t sent = std::min(rd.messages.size(), raft->msgs.size());
  raft->msgs.erase(raft->msgs.begin(), raft->msgs.begin() + sent);
  log.maybeCompact();
}

std::map<uint64_t, Progress> RawNode::GetProgress() {
  if (raft->state != StateType::kLeader) return {};
  return raft->prs;
}

void RawNode::TransferLeader(uint64_t transferee) {
  eraftpb::Message m;
  m.set_msg_type(eraftpb::MsgTransferLeader);
  m.set_from(transferee);
  raft->Step(m);
}

}  // namespace raft
