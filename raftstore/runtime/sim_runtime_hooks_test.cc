// SimRuntime's hooks for tests: the after-task hook, StoreCrash unwinding a running task
// (nested in RunAndWait too), and slow workers (SetPostDelay) that stay FIFO.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "raftstore/runtime/sim_runtime.h"

namespace runtime {
namespace {

const QueueId kRaft1{1, "raft"};
const QueueId kRegion1{1, "region"};
const QueueId kRaft2{2, "raft"};

TEST(SimRuntimeHooks, AfterTaskHookSeesEveryOutermostTask) {
  SimRuntime rt(1);
  std::vector<std::string> seen;
  const uint64_t id = rt.AddAfterTaskHook([&](const QueueId& q, const std::string& label) {
    seen.push_back(q.ToString() + " " + label);
  });
  rt.Post(kRaft1, "a", [&] { rt.RunAndWait(kRegion1, "nested", [] {}); });
  rt.StartTimer(kRaft2, 10, "b", [] {});
  rt.RunFor(100);
  EXPECT_EQ(seen, (std::vector<std::string>{"store 1/raft a", "store 2/raft b"}));
  rt.RemoveAfterTaskHook(id);
  rt.Post(kRaft1, "c", [] {});
  rt.RunFor(100);
  EXPECT_EQ(seen.size(), 2u);
}

TEST(SimRuntimeHooks, StoreCrashUnwindsNestedTasksAndReachesTheHandler) {
  SimRuntime rt(1);
  std::vector<std::string> log;
  rt.set_crash_handler([&](const StoreCrash& c) {
    EXPECT_EQ(rt.current_queue(), nullptr) << "the handler runs between tasks";
    log.push_back("crash " + std::to_string(c.store_id) + " " + c.where);
    rt.DropStore(c.store_id);
  });
  rt.AddAfterTaskHook([&](const QueueId& q, const std::string& label) {
    log.push_back("after " + q.ToString() + " " + label);
  });
  rt.Post(kRaft1, "ready", [&] {
    rt.RunAndWait(kRegion1, "apply", [&] {
      ASSERT_NE(rt.current_queue(), nullptr);
      EXPECT_EQ(*rt.current_queue(), kRegion1);
      throw StoreCrash{1, "in apply"};
    });
    log.push_back("not reached");
  });
  rt.Post(kRaft1, "dropped", [&] { log.push_back("dropped ran"); });
  rt.Post(kRaft2, "other store", [&] { log.push_back("store 2 ran"); });
  rt.RunFor(100);
  EXPECT_EQ(rt.current_queue(), nullptr);
  // Store 2's task may run before or after the crash (the seed picks), never store 1's second.
  std::erase(log, "store 2 ran");
  std::erase(log, "after store 2/raft other store");
  EXPECT_EQ(log, (std::vector<std::string>{"crash 1 in apply", "after store 1/raft ready"}));
}

TEST(SimRuntimeHooks, StoreCrashWithoutHandlerPropagates) {
  SimRuntime rt(1);
  rt.Post(kRaft1, "t", [] { throw StoreCrash{1, "x"}; });
  EXPECT_THROW(rt.Step(), StoreCrash);
  EXPECT_EQ(rt.current_queue(), nullptr);
  rt.Post(kRaft1, "u", [] {});
  EXPECT_TRUE(rt.Step());
}

TEST(SimRuntimeHooks, SlowWorkerStaysFifoAndRunAndWaitWaitsForIt) {
  SimRuntime rt(3);
  rt.SetPostDelay(
      [&](const QueueId& q) -> Micros { return q.worker == "region" ? 1 + rt.Random(1000) : 0; });
  std::vector<int> order;
  std::vector<Micros> when;
  for (int i = 0; i < 20; ++i) {
    rt.Post(kRegion1, "t" + std::to_string(i), [&, i] {
      order.push_back(i);
      when.push_back(rt.Now());
    });
  }
  rt.Post(kRaft1, "fast", [&] { order.push_back(-1); });
  rt.Step();
  EXPECT_EQ(order, std::vector<int>{-1}) << "the region tasks are delayed, the raft one is not";
  rt.RunFor(200'000);
  ASSERT_EQ(order.size(), 21u);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(order[static_cast<size_t>(i) + 1], i);
  EXPECT_GT(when.front(), 0u);

  // RunAndWait runs every delayed post first, in order, in zero virtual time.
  order.clear();
  for (int i = 0; i < 3; ++i) rt.Post(kRegion1, "p", [&, i] { order.push_back(i); });
  const Micros before = rt.Now();
  rt.Post(kRaft1, "waits", [&] { rt.RunAndWait(kRegion1, "apply", [&] { order.push_back(9); }); });
  rt.Step();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 9}));
  EXPECT_EQ(rt.Now(), before);

  // A crashed store's delayed posts are gone, and later posts are not held behind them.
  rt.Post(kRegion1, "lost", [&] { order.push_back(-2); });
  rt.DropStore(1);
  rt.RunFor(10'000);
  EXPECT_EQ(order.back(), 9);
}

// A timer for a slow worker fires into a delayed post: nothing is runnable right after it.
TEST(SimRuntimeHooks, TimerIntoSlowWorkerWaitsItsTurn) {
  SimRuntime rt(5);
  rt.SetPostDelay([](const QueueId& q) -> Micros { return q.worker == "region" ? 500 : 0; });
  Micros ran_at = 0;
  rt.StartTimer(kRegion1, 100, "late", [&] { ran_at = rt.Now(); });
  int steps = 0;
  while (rt.Step()) ++steps;
  EXPECT_EQ(ran_at, 600u);
  EXPECT_EQ(steps, 2) << "one step moves time to the timer, one runs the task";
}

// ---- Preemption points ----

const QueueId kGc1{1, "raftlog-gc"};
const QueueId kGc2{2, "raftlog-gc"};
const QueueId kStore1{1, "store"};

TEST(SimRuntimeHooks, PreemptionOffRunsNothing) {
  SimRuntime rt(1);
  std::vector<std::string> log;
  rt.Post(kRaft1, "ready", [&] {
    rt.Post(kGc1, "gc", [&] { log.push_back("gc"); });
    EXPECT_TRUE(rt.PreemptionPoint().empty());
    log.push_back("write");
  });
  rt.RunFor(100);
  EXPECT_EQ(log, (std::vector<std::string>{"write", "gc"}));
  EXPECT_EQ(rt.preemptions(), 0u);
}

TEST(SimRuntimeHooks, PreemptionRunsOtherWorkersOfTheSameStoreOnly) {
  SimRuntime rt(1);
  rt.SetPreemption({.percent = 100});
  std::vector<std::string> log;
  rt.Post(kRaft1, "ready", [&] {
    rt.Post(kGc1, "gc", [&] {
      ASSERT_NE(rt.current_queue(), nullptr);
      EXPECT_EQ(*rt.current_queue(), kGc1);
      log.push_back("gc");
    });
    rt.Post(kRegion1, "gen", [&] { log.push_back("gen"); });
    rt.Post(kRaft1, "next ready", [&] { log.push_back("next ready"); });   // its own queue
    rt.Post(kStore1, "store tick", [&] { log.push_back("store tick"); });  // not a worker
    rt.Post(kGc2, "gc 2", [&] { log.push_back("gc 2"); });                 // another store
    std::vector<std::string> ran = rt.PreemptionPoint();
    std::sort(ran.begin(), ran.end());
    EXPECT_EQ(ran, (std::vector<std::string>{"store 1/raftlog-gc gc", "store 1/region gen"}));
    log.push_back("write");
    // Nothing left to overtake with.
    EXPECT_TRUE(rt.PreemptionPoint().empty());
  });
  rt.RunFor(100);
  ASSERT_GE(log.size(), 3u);
  std::vector<std::string> first(log.begin(), log.begin() + 3);
  std::sort(first.begin(), first.end());
  EXPECT_EQ(first, (std::vector<std::string>{"gc", "gen", "write"}));
  EXPECT_EQ(log[2], "write");
  EXPECT_EQ(rt.preemptions(), 1u);
  EXPECT_EQ(rt.tasks_preempted(), 2u);
}

TEST(SimRuntimeHooks, PreemptionNeverRunsASuspendedQueueOrNests) {
  SimRuntime rt(1);
  rt.SetPreemption({.percent = 100});
  std::vector<std::string> log;
  rt.Post(kRaft1, "ready", [&] {
    rt.Post(kRegion1, "queued gen", [&] { log.push_back("queued gen"); });
    rt.RunAndWait(kRegion1, "apply", [&] {
      // The region worker runs (and its backlog ran first); the gc task may overtake it, not
      // the region queue itself.
      rt.Post(kRegion1, "later gen", [&] { log.push_back("later gen"); });
      rt.Post(kGc1, "gc", [&] {
        log.push_back("gc");
        // Inside a preemption: no second one.
        EXPECT_TRUE(rt.PreemptionPoint().empty());
      });
      EXPECT_EQ(rt.PreemptionPoint(), (std::vector<std::string>{"store 1/raftlog-gc gc"}));
      log.push_back("apply write");
    });
  });
  rt.RunFor(100);
  EXPECT_EQ(log, (std::vector<std::string>{"queued gen", "gc", "apply write", "later gen"}));
}

TEST(SimRuntimeHooks, PreemptionCrashUnwindsTheOvertakenTask) {
  SimRuntime rt(1);
  rt.SetPreemption({.percent = 100});
  std::vector<std::string> log;
  rt.set_crash_handler([&](const StoreCrash& c) {
    log.push_back("crash " + c.where);
    rt.DropStore(c.store_id);
  });
  rt.Post(kRaft1, "ready", [&] {
    rt.Post(kGc1, "gc", [&] { throw StoreCrash{1, "in gc"}; });
    rt.PreemptionPoint();
    log.push_back("not reached");
  });
  rt.RunFor(100);
  EXPECT_EQ(log, (std::vector<std::string>{"crash in gc"}));
}

// Same seed, same choices; and the preemption draws leave the run's Random() sequence alone.
TEST(SimRuntimeHooks, PreemptionIsReplayable) {
  auto run = [](uint64_t seed) {
    SimRuntime rt(seed);
    rt.SetPreemption({.percent = 50});
    std::vector<std::string> log;
    for (int i = 0; i < 20; ++i) {
      rt.Post(kRaft1, "ready", [&rt, &log, i] {
        rt.Post(kGc1, "gc", [&log, i] { log.push_back("gc " + std::to_string(i)); });
        rt.Post(kRegion1, "gen", [&log, i] { log.push_back("gen " + std::to_string(i)); });
        for (const std::string& t : rt.PreemptionPoint()) log.push_back("overtook: " + t);
        log.push_back("write " + std::to_string(i));
      });
    }
    rt.RunFor(1000);
    log.push_back("random " + std::to_string(rt.Random(1'000'000)));
    return log;
  };
  EXPECT_EQ(run(7), run(7));
  EXPECT_NE(run(7), run(8));
}

}  // namespace
}  // namespace runtime
