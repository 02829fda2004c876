#pragma once

// Crash points in the simulated cluster (lab 2B/2C hidden suites, and the public
// Raftstore2C.CrashWhileApplyingSnapshot). A store can be crashed at any engine write and at
// any send, right there in the middle of whatever task it is running:
//
//   - a write batch is atomic: a crash before it leaves none of it, a crash after it all of it
//     (applying a snapshot's files, a kv::RangeReplacement, counts as one write);
//   - everything the store had not written yet is lost with it: the rest of the task, its
//     queued tasks and timers (region worker, raftlog-gc worker, ticks), the messages and
//     client commands on their way to it, and its unanswered callbacks;
//   - a message it sent before the crash is on the wire and may still arrive.
//
// The cluster asks its CrashTrigger at every such point of a store, while a task of that store
// runs; when the trigger says "here", the hook throws runtime::StoreCrash, SimRuntime unwinds
// the task, and the cluster stops the store as StopServer does (closing its engines, which keep
// every completed write). Restarting it (StartServer) reloads it from its engines.
//
// CrashScheduler crashes random stores at random points, every choice drawn from the run's
// seed, and restarts them after a drawn delay: GenericTestOptions::crash_points.

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "kv/engine_util/engine.h"
#include "proto/raft_serverpb.pb.h"
#include "raftstore/runtime/runtime.h"

namespace raftstore::testing {

class Cluster;

// A point where a store may crash.
struct CrashEvent {
  // kPreempted: right after other workers of the store overtook its running task at a
  // preemption point (SimRuntime::PreemptionPoint), before the write or send it was about to
  // make: the engines hold the workers' writes and not the task's next one.
  enum class Kind { kWrite, kSend, kPreempted };
  uint64_t store_id = 0;
  Kind kind = Kind::kWrite;
  // false: just before the write or send; true: just after it.
  bool done = false;
  // Writes: which engine, what ("write batch", "apply snapshot data"), how many operations.
  kv::Engine::Kind engine = kv::Engine::Kind::kKv;
  std::string_view what;
  size_t ops = 0;
  // Sends: the message.
  const raft_serverpb::RaftMessage* msg = nullptr;
  // kPreempted: the tasks that overtook ("store 2/raftlog-gc raftlog-gc region 1 [6, 16)"),
  // and the write or send they overtook (its Describe()).
  const std::vector<std::string>* preempted_by = nullptr;
  std::string overtaken;
  // The queue of the store's task that is running (its innermost one under RunAndWait).
  const runtime::QueueId* queue = nullptr;

  // "before its write batch of 3 ops to the kv engine (in store 2/raft)".
  std::string Describe() const;
};

// Decides where stores crash. Called at every crash point of every running store.
class CrashTrigger {
 public:
  virtual ~CrashTrigger() = default;
  // True: the store crashes here.
  virtual bool ShouldCrash(const CrashEvent& event) = 0;
  // The store crashed at a point this trigger chose and has been stopped. It may restart it
  // later (Cluster::StartServer), e.g. from a timer.
  virtual void AfterCrash(uint64_t /*store_id*/) {}
};

// Crashes at the first point `when` accepts (once).
class CrashWhen : public CrashTrigger {
 public:
  explicit CrashWhen(std::function<bool(const CrashEvent&)> when) : when_(std::move(when)) {}
  bool ShouldCrash(const CrashEvent& event) override;
  void AfterCrash(uint64_t store_id) override { crashed_ = store_id; }
  // The store that crashed, if one did.
  std::optional<uint64_t> crashed() const { return crashed_; }

 private:
  std::function<bool(const CrashEvent&)> when_;
  bool fired_ = false;
  std::optional<uint64_t> crashed_;
};

struct CrashScheduleOptions {
  // After a crashed store restarts (or the schedule starts), the next crash point is chosen
  // after a delay drawn from [arm_min, arm_max].
  runtime::Micros arm_min = 200'000;
  runtime::Micros arm_max = 1'500'000;
  // A crashed store stays down for a delay drawn from [down_min, down_max].
  runtime::Micros down_min = 20'000;
  runtime::Micros down_max = 1'500'000;
  // Percentage of crash points that are sends (the rest: engine writes).
  uint32_t send_percent = 30;
  // Percentage of crash points that are preemption points instead (drawn first): the chosen
  // store crashes right after its other workers overtook its task, at the first such point
  // (e.g. the raftlog-gc worker deleted entries, the raft worker's apply state had not landed).
  uint32_t preempt_percent = 0;
  // The chosen store crashes at its Nth write (or send) after the choice, N drawn from
  // [1, max_nth], before or after it (drawn too).
  uint64_t max_nth = 40;
};

// Random crash points: one store at a time crashes at a point drawn from the cluster's seeded
// generator and restarts after a drawn delay; then the next point is drawn. Replayable: the
// same seed gives the same crashes at the same points.
class CrashScheduler : public CrashTrigger {
 public:
  CrashScheduler(Cluster* cluster, CrashScheduleOptions options);
  ~CrashScheduler() override;
  CrashScheduler(const CrashScheduler&) = delete;
  CrashScheduler& operator=(const CrashScheduler&) = delete;

  // Installs itself as the cluster's trigger and draws the first crash point.
  void Start();
  // Disarms, restarts every store it crashed, and reports whether every restart succeeded
  // (a store that cannot be reloaded from its engines names the crash point that broke it).
  ::testing::AssertionResult Stop();

  bool ShouldCrash(const CrashEvent& event) override;
  void AfterCrash(uint64_t store_id) override;

  uint64_t crashes() const { return crashes_.size(); }
  // "at 1.234 s store 3 crashed before its write batch of ...; at ...": for failure messages.
  std::string Describe() const;

 private:
  struct Armed {
    uint64_t store_id = 0;
    CrashEvent::Kind kind = CrashEvent::Kind::kWrite;
    bool done = false;
    uint64_t remaining = 0;
  };
  void armLater();
  void arm();
  void restart(uint64_t store_id);

  Cluster* cluster_;
  CrashScheduleOptions options_;
  bool on_ = false;
  // Bumped by Stop: timers set before it do nothing.
  uint64_t epoch_ = 0;
  std::optional<Armed> armed_;
  std::string pending_;  // the point chosen, described, while armed
  std::set<uint64_t> down_;
  std::vector<std::string> crashes_;
  std::string failure_;
};

}  // namespace raftstore::testing
