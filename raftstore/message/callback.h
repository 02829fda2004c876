#pragma once

// Callback: how a command's proposer learns its outcome (TinyKV's message.Callback). Whoever
// sends a RaftCmdRequest attaches one; the peer answers it exactly once, with either an error
// response (NotLeader, StaleCommand, ...) or the command's results once it is applied.
//
// For a Snap request the peer also sets `txn` before Done: a snapshot of the kv engine taken
// right after the command was applied, so the reader sees exactly the region's state at that
// point of the log, whatever is applied later.

#include <functional>
#include <memory>

#include "kv/engine_util/snapshot.h"
#include "proto/raft_cmdpb.pb.h"

namespace raftstore {

class Callback {
 public:
  using DoneFn = std::function<void(const raft_cmdpb::RaftCmdResponse& resp,
                                    std::shared_ptr<kv::EngineSnapshot> txn)>;

  // An empty callback: nobody waits for the answer (Done does nothing).
  Callback() = default;
  explicit Callback(DoneFn done) : done_(std::move(done)) {}

  // Answers the command. Only the first call counts; later ones (and calls on an empty
  // callback) do nothing.
  void Done(const raft_cmdpb::RaftCmdResponse& resp);

  bool empty() const { return !done_; }

  // For a Snap request: the kv engine as of the command (see above). Set it before Done.
  std::shared_ptr<kv::EngineSnapshot> txn;

 private:
  DoneFn done_;
};

}  // namespace raftstore
