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

// Test audits watch callbacks through this (raftstore/testing/audit/): the watcher is shared
// by every copy of the callback, so it sees every answer, including the ones Done swallows
// because that callback (or a copy) already answered. Production code never sets one.
class CallbackWatcher {
 public:
  virtual ~CallbackWatcher() = default;
  // Called on every Done. `effective` is false when this copy had already answered (or is
  // empty), so the call did nothing.
  virtual void OnDone(const raft_cmdpb::RaftCmdResponse& resp, bool effective) = 0;
};

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

  // For test audits (see CallbackWatcher): set by the test cluster on the callbacks it makes.
  void Watch(std::shared_ptr<CallbackWatcher> watcher) { watcher_ = std::move(watcher); }
  const CallbackWatcher* watcher() const { return watcher_.get(); }

  // For a Snap request: the kv engine as of the command (see above). Set it before Done.
  std::shared_ptr<kv::EngineSnapshot> txn;

 private:
  DoneFn done_;
  std::shared_ptr<CallbackWatcher> watcher_;
};

}  // namespace raftstore
