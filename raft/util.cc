#include "raft/util.h"

#include <sstream>

namespace raft {

bool IsEmptySnap(const eraftpb::Snapshot& snap) { return snap.metadata().index() == 0; }

bool IsEmptyHardState(const eraftpb::HardState& hs) {
  return hs.term() == 0 && hs.vote() == 0 && hs.commit() == 0;
}

bool IsHardStateEqual(const eraftpb::HardState& a, const eraftpb::HardState& b) {
  return a.term() == b.term() && a.vote() == b.vote() && a.commit() == b.commit();
}

bool IsLocalMsg(eraftpb::MessageType t) { return t == eraftpb::MsgHup || t == eraftpb::MsgBeat; }

bool IsResponseMsg(eraftpb::MessageType t) {
  return t == eraftpb::MsgAppendResponse || t == eraftpb::MsgRequestVoteResponse ||
         t == eraftpb::MsgHeartbeatResponse;
}

const char* MessageTypeName(eraftpb::MessageType t) { return eraftpb::MessageType_Name(t).c_str(); }

std::string DescribeEntries(const std::vector<eraftpb::Entry>& ents) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < ents.size(); ++i) {
    if (i > 0) os << " ";
    os << ents[i].index() << "@" << ents[i].term();
    if (ents[i].entry_type() == eraftpb::EntryConfChange) os << "(conf)";
  }
  os << "]";
  return os.str();
}

std::string DescribeMessage(const eraftpb::Message& m) {
  std::ostringstream os;
  os << MessageTypeName(m.msg_type()) << " " << m.from() << "->" << m.to() << " term=" << m.term();
  if (m.log_term() != 0 || m.index() != 0)
    os << " logTerm=" << m.log_term() << " index=" << m.index();
  if (m.commit() != 0) os << " commit=" << m.commit();
  if (m.reject()) os << " reject";
  if (m.entries_size() > 0) {
    os << " entries="
       << DescribeEntries(std::vector<eraftpb::Entry>(m.entries().begin(), m.entries().end()));
  }
  if (m.has_snapshot() && !IsEmptySnap(m.snapshot())) {
    os << " snapshot=" << m.snapshot().metadata().index() << "@" << m.snapshot().metadata().term();
  }
  return os.str();
}

std::string DescribeHardState(const eraftpb::HardState& hs) {
  std::ostringstream os;
  os << "{term=" << hs.term() << " vote=" << hs.vote() << " commit=" << hs.commit() << "}";
  return os.str();
}

}  // namespace raft
