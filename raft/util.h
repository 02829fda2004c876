#pragma once

// Small helpers shared by the Raft library, raftstore and tests.

#include <cstdint>
#include <string>
#include <vector>

#include "proto/eraftpb.pb.h"

namespace raft {

// A snapshot with index 0 stands for "no snapshot".
bool IsEmptySnap(const eraftpb::Snapshot& snap);
bool IsEmptyHardState(const eraftpb::HardState& hs);
bool IsHardStateEqual(const eraftpb::HardState& a, const eraftpb::HardState& b);

// Messages a node sends itself (MsgHup, MsgBeat): never put on the network.
bool IsLocalMsg(eraftpb::MessageType t);
// Responses (append, vote, heartbeat responses).
bool IsResponseMsg(eraftpb::MessageType t);

// One-line descriptions for logs and failure messages, e.g.
// "MsgAppend 1->2 term=3 logTerm=2 index=5 commit=5 entries=[6@3 7@3]".
std::string DescribeMessage(const eraftpb::Message& m);
std::string DescribeEntries(const std::vector<eraftpb::Entry>& ents);
std::string DescribeHardState(const eraftpb::HardState& hs);

// "MsgAppend" for eraftpb::MsgAppend.
const char* MessageTypeName(eraftpb::MessageType t);

}  // namespace raft
