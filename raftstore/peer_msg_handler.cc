// PeerMsgHandler: the student half (2B). The given half is in peer_msg_dispatch.cc.

#include "raftstore/peer_msg_handler.h"

#include "raftstore/util/cmd_resp.h"

namespace raftstore {

void PeerMsgHandler::proposeRaftCommand(const raft_cmdpb::RaftCmdRequest& msg, Callback cb) {
  // Your Code Here (2B).
  (void)msg;
  (void)cb;
}

void PeerMsgHandler::HandleRaftReady() {
  // Your Code Here (2B).
}

}  // namespace raftstore
