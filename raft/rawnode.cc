#include "raft/rawnode.h"

namespace raft {

RawNode::RawNode(const Config& config) : raft(std::make_unique<raft::Raft>(config)) {
  // Your Code Here (2A).
}

void RawNode::Tick() { raft->tick(); }

Error RawNode::Campaign() {
  eraftpb::Message m;
  m.set_msg_type(eraftpb::MsgHup);
  return raft->Step(m);
}

Error RawNode::Propose(const std::string& data) {
  eraftpb::Message m;
  m.set_msg_type(eraftpb::MsgPropose);
  m.set_from(raft->id);
  m.add_entries()->set_data(data);
  return raft->Step(m);
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

Error RawNode::Step(const eraftpb::Message& m) {
  // Local messages are the node's own business: a peer can never send them.
  if (m.msg_type() == eraftpb::MsgHup || m.msg_type() == eraftpb::MsgBeat) {
    return Error(ErrorCode::kOther, "cannot step a local message (MsgHup, MsgBeat) from a peer");
  }
  return raft->Step(m);
}

raft::Ready RawNode::Ready() {
  // Your Code Here (2A).
  return {};
}

bool RawNode::HasReady() {
  // Your Code Here (2A).
  return false;
}

void RawNode::Advance(const raft::Ready& rd) {
  // Your Code Here (2A).
  (void)rd;
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
