#pragma once

// RaftStorage: the kv::Storage of lab 2B (TinyKV's RaftStorage). The server above it does not
// change; underneath, every write becomes a command proposed to the region's Raft group
// (Put and Delete requests), and every reader a Snap command, so both are answered only once
// a majority agreed on their place in the log — a read never sees stale data.
//
// Write and Reader block their caller until the command's callback is answered. How to wait
// depends on the runtime: in a simulation the caller runs the simulation until the answer
// arrives (SimWaiter); with real threads it sleeps (RealWaiter), or, with a null WaitFn,
// blocks on a condition variable that the command's callback signals (the live server: no
// polling, however many requests wait at once). None may be called from a task of the
// store's own runtime.
//
// Region errors (NotLeader, StaleCommand, EpochNotMatch, ...) come back as a kv::Status of
// code kInternal whose message starts with "region error: "; the full error is available
// from RegionErrorOf on the same thread right after the call.

#include <functional>
#include <memory>
#include <vector>

#include "kv/storage/storage.h"
#include "proto/kvrpcpb.pb.h"
#include "proto/raft_cmdpb.pb.h"
#include "raftstore/message/callback.h"
#include "raftstore/runtime/runtime.h"
#include "raftstore/util/region_error.h"

namespace raftstore {

class Router;

// Blocks until done() holds or `timeout` passes; returns done().
using WaitFn = std::function<bool(const std::function<bool()>& done, runtime::Micros timeout)>;

class RaftStorage : public kv::Storage {
 public:
  // `router` returns the router of the store to send commands to (null while it is down).
  RaftStorage(std::function<Router*()> router, WaitFn wait, runtime::Micros timeout = 5'000'000);

  // The store is started and stopped by its owner; these only open and close the front end.
  kv::Status Start() override;
  kv::Status Stop() override;
  kv::Status Write(const kvrpcpb::Context& ctx, const std::vector<kv::Modify>& batch) override;
  kv::Result<std::unique_ptr<kv::StorageReader>> Reader(const kvrpcpb::Context& ctx) override;

  // The region error of this thread's last failed call, if it was one.
  static RegionError RegionErrorOf();

  // Runs `cmd` and waits for its answer; the response's header carries any region error.
  // For a Snap, `*txn` receives the snapshot.
  kv::Status Call(const raft_cmdpb::RaftCmdRequest& cmd, raft_cmdpb::RaftCmdResponse* resp,
                  std::shared_ptr<kv::EngineSnapshot>* txn);

 private:
  std::function<Router*()> router_;
  WaitFn wait_;
  runtime::Micros timeout_;
  bool started_ = false;
};

// A WaitFn that polls with short sleeps: for callers on their own thread (RealRuntime).
WaitFn RealWaiter();

}  // namespace raftstore
