#pragma once

// Transport: how a store sends Raft messages to the peers of its regions on other stores.
// The simulated cluster's transport (raftstore/testing) delivers them through the runtime,
// with whatever faults a test injects; the demo server's sends them over sockets. Sending is
// fire-and-forget: Raft tolerates loss, so a message that cannot be delivered is dropped.

#include "kv/engine_util/status.h"
#include "proto/raft_serverpb.pb.h"

namespace raftstore {

class Transport {
 public:
  virtual ~Transport() = default;
  // Queues `msg` for msg.to_peer().store_id(). An error means it was certainly not sent.
  virtual kv::Status Send(const raft_serverpb::RaftMessage& msg) = 0;
  // The same for a message the caller is done with: a transport that keeps messages until
  // they arrive (the simulated network) takes this one instead of copying it.
  virtual kv::Status SendOwned(raft_serverpb::RaftMessage&& msg) { return Send(msg); }
};

}  // namespace raftstore
