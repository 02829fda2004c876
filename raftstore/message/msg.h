#pragma once

// The messages a peer handles (TinyKV's message.Msg), delivered to it by the router on its
// store's raft worker. One peer handles its messages one at a time, in the order they came.

#include <string>
#include <variant>

#include "proto/raft_cmdpb.pb.h"
#include "proto/raft_serverpb.pb.h"
#include "raftstore/message/callback.h"

namespace raftstore {

// A Raft message from a peer of the same region on another store.
struct MsgRaftMessage {
  raft_serverpb::RaftMessage message;
};

// A command from a client (or from the store itself, e.g. CompactLog in 2C) to propose.
struct MsgRaftCmd {
  raft_cmdpb::RaftCmdRequest request;
  Callback callback;
};

// One base tick of the store's clock.
struct MsgTick {};

// Sent once when the peer is loaded or created: starts its ticks.
struct MsgStart {};

using Msg = std::variant<MsgRaftMessage, MsgRaftCmd, MsgTick, MsgStart>;

// "MsgRaftMessage", "MsgRaftCmd", ... — for traces and logs.
std::string MsgName(const Msg& msg);

}  // namespace raftstore
