#include "raftstore/message/msg.h"

namespace raftstore {

std::string MsgName(const Msg& msg) {
  struct Namer {
    std::string operator()(const MsgRaftMessage& m) const {
      return "MsgRaftMessage " + eraftpb::MessageType_Name(m.message.message().msg_type());
    }
    std::string operator()(const MsgRaftCmd&) const { return "MsgRaftCmd"; }
    std::string operator()(const MsgTick&) const { return "MsgTick"; }
    std::string operator()(const MsgStart&) const { return "MsgStart"; }
  };
  return std::visit(Namer{}, msg);
}

}  // namespace raftstore
