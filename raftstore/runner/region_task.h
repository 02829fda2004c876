#pragma once

// The region worker (TinyKV's kv/raftstore/runner/region_task.go), lab 2C framework: the
// store's worker for the slow jobs on a region's data, run on the store's "region" queue so
// the raft worker never does them itself.
//
//   RegionTaskGen      build a snapshot of the region (PeerStorage::Snapshot schedules it and
//                      answers ErrSnapshotTemporarilyUnavailable until the notifier fires);
//   RegionTaskApply    replace the region's data with a received snapshot's
//                      (PeerStorage::ApplySnapshot sends it and waits for the answer);
//   RegionTaskDestroy  delete the region's data (a peer that is removed or replaced).
//
// Notifiers are plain callbacks, called on the region worker's queue. A notifier must not
// touch the caller's state directly: it posts the result back to the caller's own queue
// (the raft worker), where the peer picks it up — the C++ counterpart of TinyKV's channels.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "kv/engine_util/engines.h"
#include "kv/engine_util/status.h"
#include "proto/eraftpb.pb.h"
#include "proto/raft_serverpb.pb.h"
#include "raftstore/runtime/runtime.h"
#include "raftstore/snap/snap_manager.h"

namespace spdlog {
class logger;
}

namespace raftstore::runner {

// The name of the region worker's queue in each store.
inline constexpr std::string_view kRegionWorker = "region";

// Receives a generated snapshot: its metadata (index = the region's applied index, term =
// that entry's term, conf state = the region's peers) and, in `data`, the serialized
// RaftSnapshotData describing its files; or the error that stopped the generation.
using GenNotifier = std::function<void(kv::Result<eraftpb::Snapshot>)>;
// Receives the outcome of applying a snapshot: OK, or why nothing was changed.
using ApplyNotifier = std::function<void(kv::Status)>;

// Generate a snapshot of the region as it is when the task runs.
struct RegionTaskGen {
  uint64_t region_id = 0;
  GenNotifier notifier;
};

// Apply a received snapshot: the region's keys in [start_key, end_key) become exactly the
// snapshot's. The snapshot's files must already be complete in the store's SnapManager
// (SnapManager::FinishReceive).
struct RegionTaskApply {
  uint64_t region_id = 0;
  eraftpb::SnapshotMetadata snap_meta;
  // The snapshot's RaftSnapshotData (parsed from eraftpb::Snapshot::data): which files, with
  // which sizes and checksums, and the region they hold. TinyKV finds this in its snapshot
  // manager; here it travels with the task.
  raft_serverpb::RaftSnapshotData snap_data;
  std::string start_key;
  std::string end_key;
  ApplyNotifier notifier;  // may be empty
};

// Delete the keys [start_key, end_key) of every data column family (an empty end_key: up to
// the last key). Meta keys (the raft column family) are not touched.
struct RegionTaskDestroy {
  uint64_t region_id = 0;
  std::string start_key;
  std::string end_key;
};

using RegionTask = std::variant<RegionTaskGen, RegionTaskApply, RegionTaskDestroy>;

// "region gen 2", "region apply 2 at 6@40", "region destroy 2": for traces and logs.
std::string DescribeRegionTask(const RegionTask& task);

// Faults the region worker injects into snapshot generation, so that tests can check that a
// raftstore survives a snapshot that never comes or comes late. Every choice is drawn from
// Runtime::Random (and only when a fault is configured), so a simulated run stays replayable
// from its seed.
struct RegionTaskFaults {
  // Percentage (0-100) of RegionTaskGen that fail with an injected kIOError instead of
  // building anything.
  uint32_t gen_fail_percent = 0;
  // Percentage (0-100) of generated snapshots delivered late: the snapshot is taken when the
  // task runs, but its notifier fires only after a delay drawn uniformly from
  // [gen_delay_min, gen_delay_max] virtual microseconds (a Runtime timer on the region queue).
  uint32_t gen_delay_percent = 0;
  runtime::Micros gen_delay_min = 0;
  runtime::Micros gen_delay_max = 0;
};

struct RegionTaskOptions {
  RegionTaskFaults faults;
  // Remove a snapshot's files from the SnapManager once it is applied (the data was copied
  // into the engine, the files are never needed again).
  bool delete_applied_snapshots = true;
};

// Runs RegionTasks for one store. Tasks run on the store's "region" queue: Schedule posts
// them, RunAndWait runs one there and returns once it is done, Handle runs one right here.
//
// Lifetime: the handler, the engines and the SnapManager must outlive every task scheduled
// and not yet run, including delayed deliveries (drop the store's queues first).
class RegionTaskHandler {
 public:
  RegionTaskHandler(kv::Engines* engines, snap::SnapManager* snap_mgr, runtime::Runtime* rt,
                    uint64_t store_id, RegionTaskOptions options = {});
  ~RegionTaskHandler();
  RegionTaskHandler(const RegionTaskHandler&) = delete;
  RegionTaskHandler& operator=(const RegionTaskHandler&) = delete;

  // Posts `task` to this store's region queue. Returns at once.
  void Schedule(RegionTask task);
  // Runs `task` on this store's region queue (after what is already queued there) and returns
  // once it has run: how PeerStorage::ApplySnapshot waits for its RegionTaskApply. The task's
  // notifier has been called when this returns (unless a fault delayed a generation).
  void RunAndWait(RegionTask task);
  // Runs `task` now, on the calling queue (which should be the region queue).
  void Handle(RegionTask task);

  runtime::QueueId queue() const { return queue_; }
  const RegionTaskOptions& options() const { return options_; }
  void set_faults(const RegionTaskFaults& faults) { options_.faults = faults; }

  // Counters for tests and the demo's status page.
  // RegionTaskGen handed to Schedule or RunAndWait (run or not yet).
  uint64_t generations_scheduled() const { return gen_scheduled_.load(); }
  uint64_t snapshots_generated() const { return generated_.load(); }
  uint64_t generations_failed() const { return gen_failed_.load(); }
  uint64_t generations_delayed() const { return gen_delayed_.load(); }
  uint64_t snapshots_applied() const { return applied_.load(); }
  uint64_t applies_failed() const { return apply_failed_.load(); }
  uint64_t ranges_destroyed() const { return destroyed_.load(); }

 private:
  void handleGen(RegionTaskGen& task);
  void handleApply(RegionTaskApply& task);
  void handleDestroy(RegionTaskDestroy& task);
  // Builds the snapshot of the region at the kv engine's current state.
  kv::Result<eraftpb::Snapshot> generate(uint64_t region_id);
  kv::Status apply(const RegionTaskApply& task);
  kv::Status destroy(const RegionTaskDestroy& task);

  kv::Engines* engines_;
  snap::SnapManager* snap_mgr_;
  runtime::Runtime* rt_;
  runtime::QueueId queue_;
  RegionTaskOptions options_;
  std::shared_ptr<spdlog::logger> log_;
  std::atomic<uint64_t> gen_scheduled_{0};
  std::atomic<uint64_t> generated_{0};
  std::atomic<uint64_t> gen_failed_{0};
  std::atomic<uint64_t> gen_delayed_{0};
  std::atomic<uint64_t> applied_{0};
  std::atomic<uint64_t> apply_failed_{0};
  std::atomic<uint64_t> destroyed_{0};
};

}  // namespace raftstore::runner
