#pragma once

// The raftlog-gc worker (TinyKV's kv/raftstore/runner/raftlog_gc.go), lab 2C framework.
//
// When a CompactLog admin command is applied, the peer moves RaftApplyState.truncated_state
// forward and calls ScheduleCompactLog, which hands the actual deletion of the now useless log
// entries to this worker: deleting thousands of keys is slow and nothing waits for it, so it
// runs on a queue of its own ("raftlog-gc") instead of the raft worker's.
//
// Correctness never depends on the deletion having happened: entries at or below the
// truncated index are unreachable once the apply state says they are truncated. So a task may
// run late, twice, or over a range that is already gone.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "kv/engine_util/engine.h"
#include "kv/engine_util/status.h"
#include "raftstore/runtime/runtime.h"

namespace spdlog {
class logger;
}

namespace raftstore::runner {

// The name of the raftlog-gc worker's queue in each store.
inline constexpr std::string_view kRaftLogGcWorker = "raftlog-gc";

// Delete the raft log entries [start_idx, end_idx) of a region from the raft engine.
// start_idx == 0 means "from the first entry still stored".
struct RaftLogGCTask {
  uint64_t region_id = 0;
  uint64_t start_idx = 0;
  uint64_t end_idx = 0;

  // "raftlog-gc region 2 [5, 40)", for traces and logs.
  std::string ToString() const;
};

// Runs RaftLogGCTasks for one store against that store's raft engine. Tasks run on the store's
// "raftlog-gc" queue: Schedule posts them there, Handle runs one right away.
//
// Lifetime: the handler and the engine must outlive every task scheduled and not yet run
// (a store drops its queues, e.g. SimRuntime::DropStore, before destroying its handlers).
class RaftLogGCTaskHandler {
 public:
  RaftLogGCTaskHandler(kv::Engine* raft_engine, runtime::Runtime* rt, uint64_t store_id);
  ~RaftLogGCTaskHandler();
  RaftLogGCTaskHandler(const RaftLogGCTaskHandler&) = delete;
  RaftLogGCTaskHandler& operator=(const RaftLogGCTaskHandler&) = delete;

  // Posts `task` to this store's raftlog-gc queue. Returns at once.
  void Schedule(const RaftLogGCTask& task);

  // Deletes the task's entries in one write batch and returns how many entries were actually
  // deleted (0 when start_idx >= end_idx or the range is already gone; no write then).
  // Only keys of the region's log in [start_idx, end_idx) are touched: not its other entries,
  // not its RaftLocalState, not another region's log. Errors come from the engine.
  kv::Result<uint64_t> Handle(const RaftLogGCTask& task);

  runtime::QueueId queue() const { return queue_; }

  // Counters for tests and the demo's status page.
  // Read from any thread (the demo's RealRuntime runs tasks on a thread of their own).
  uint64_t tasks_handled() const { return tasks_handled_.load(); }
  uint64_t entries_removed() const { return entries_removed_.load(); }
  uint64_t failures() const { return failures_.load(); }

 private:
  kv::Engine* raft_engine_;
  runtime::Runtime* rt_;
  runtime::QueueId queue_;
  std::shared_ptr<spdlog::logger> log_;
  std::atomic<uint64_t> tasks_handled_{0};
  std::atomic<uint64_t> entries_removed_{0};
  std::atomic<uint64_t> failures_{0};
};

}  // namespace raftstore::runner
