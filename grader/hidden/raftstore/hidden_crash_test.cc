// Hidden crash suites (labs 2B and 2C): the GenericTest with crash points — random stores crash
// at a random engine write or send, in the middle of whatever task they run (a write batch
// survives whole or not at all; the rest of the task, queued worker tasks and messages on
// their way to the store are lost) and restart from their engines after a random delay — and,
// for 2C, slow region and raftlog-gc workers. The audits run too (replica comparison, apply
// audit, callbacks). Several seeds per scenario; a failure names the crash points that fired,
// the seed and the replay command. Test names: Hidden2B.Crash*, Hidden2C.Crash*.

#include <gtest/gtest.h>

#include <string>

#include "grader/hidden/raftstore/run_seeds.h"
#include "raftstore/testing/audit/audits.h"
#include "raftstore/testing/generic_test.h"
#include "testutil/seed.h"

namespace hidden {
namespace {

using raftstore::testing::GenericTestOptions;
using raftstore::testing::ScenarioAudit;
namespace audit = raftstore::testing::audit;

GenericTestOptions Base2B(uint64_t scenario, int run) {
  GenericTestOptions o;
  o.part = "2B";
  o.clients = 3;
  o.iterations = 2;
  o.iteration_time = 2'000'000;
  o.crash_points = true;
  // Every audit, without the expectation of a fault-free run (a crashed leader is replaced).
  o.audit = [](const GenericTestOptions&) -> std::unique_ptr<ScenarioAudit> {
    return std::make_unique<audit::Audits>(audit::AuditOptions{});
  };
  o.seed = testutil::DeriveSeed(7000 + scenario * 100 + static_cast<uint64_t>(run));
  return o;
}

GenericTestOptions Base2C(uint64_t scenario, int run) {
  GenericTestOptions o = Base2B(scenario, run);
  o.part = "2C";
  o.max_raft_log = 10;
  o.seed = testutil::DeriveSeed(8000 + scenario * 100 + static_cast<uint64_t>(run));
  return o;
}

constexpr int kRuns = 3;

// Crashes at engine writes only: SaveReadyState's batch, each applied entry's batch.
TEST(Hidden2B, CrashAtWrites) {
  RunSeeds(Base2B, 1, kRuns, [](GenericTestOptions& o) { o.crash_schedule.send_percent = 0; });
}

// Crashes at sends only: a leader dies halfway through its heartbeats or appends.
TEST(Hidden2B, CrashAtSends) {
  RunSeeds(Base2B, 2, kRuns, [](GenericTestOptions& o) { o.crash_schedule.send_percent = 100; });
}

// Crashes everywhere, often, with message loss, on three stores (one down leaves no slack).
TEST(Hidden2B, CrashThreeStoresUnreliable) {
  RunSeeds(Base2B, 3, kRuns, [](GenericTestOptions& o) {
    o.servers = 3;
    o.unreliable = true;
    o.crash_schedule.arm_max = 600'000;
    o.crash_schedule.max_nth = 10;
  });
}

// Crash points with a small GC limit: followers that come back are fed by snapshots, and
// crash while applying them (before or after the data, the apply state or the raft state).
TEST(Hidden2C, CrashDuringSnapshotApply) {
  RunSeeds(Base2C, 1, kRuns, [](GenericTestOptions& o) {
    o.partitions = true;
    o.crash_schedule.send_percent = 10;
    o.crash_schedule.max_nth = 8;
  });
}

// Crash points while snapshots stream: a leader crashes halfway through sending one.
TEST(Hidden2C, CrashDuringSnapshotSend) {
  RunSeeds(Base2C, 2, kRuns, [](GenericTestOptions& o) {
    o.partitions = true;
    o.crash_schedule.send_percent = 70;
  });
}

// Slow region and raftlog-gc workers (every task up to 200 ms late) with crash points:
// snapshots are built from a state that has moved on and arrive after the peer's state has;
// log GC lags behind the truncated index; a crash drops whatever the workers had queued.
TEST(Hidden2C, CrashWithSlowWorkers) {
  RunSeeds(Base2C, 3, kRuns, [](GenericTestOptions& o) {
    o.partitions = true;
    o.worker_delay_max = 200'000;
    o.region_faults.gen_delay_percent = 30;
    o.region_faults.gen_delay_min = 10'000;
    o.region_faults.gen_delay_max = 200'000;
  });
}

// Preemption points with crashes (docs/lab2c.md, "Concurrency the simulation hides"): every
// store's region and raftlog-gc workers overtake its raft worker at its engine writes and sends
// (with the seed's probability, as in every cluster), and half of the crash points land right
// after they did, before the write they
// overtook: e.g. the raftlog-gc worker deleted entries and the apply state with the new
// truncated index never landed. The restart must load what is there (the persisted state audit
// vetoes a restart whose log is not what its state says).
TEST(Hidden2C, CrashAfterPreemption) {
  RunSeeds(Base2C, 5, kRuns, [](GenericTestOptions& o) {
    o.partitions = true;
    o.crash_schedule.preempt_percent = 50;
    o.crash_schedule.arm_max = 600'000;
    o.crash_schedule.down_max = 400'000;
  });
}

// Slow workers without crashes, and snapshot generations that fail: a worker's answer that
// comes after the peer moved on must be recognised as stale.
TEST(Hidden2C, SlowWorkersFailingGeneration) {
  RunSeeds(Base2C, 4, kRuns, [](GenericTestOptions& o) {
    o.crash_points = false;
    o.partitions = true;
    o.unreliable = true;
    o.worker_delay_max = 300'000;
    o.region_faults.gen_fail_percent = 30;
  });
}

}  // namespace
}  // namespace hidden
