// SimRuntime: ordering per queue, timers, RunAndWait, crashes, and the headline property —
// the same seed replays the same run, event for event.

#include "raftstore/runtime/sim_runtime.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testutil/seed.h"

namespace runtime {
namespace {

const QueueId kRaft1{1, "raft"};
const QueueId kRegion1{1, "region"};
const QueueId kRaft2{2, "raft"};

// A little workload with every kind of choice in it: several queues, timers that re-arm with
// random delays, tasks that post to other queues, and a RunAndWait.
std::vector<Event> RunWorkload(uint64_t seed) {
  SimRuntime rt(seed);
  rt.set_tracing(true);
  int ticks = 0;
  std::function<void(QueueId)> tick = [&](QueueId q) {
    if (++ticks > 40) return;
    rt.Post(q == kRaft1 ? kRaft2 : kRaft1, "message", [] {});
    rt.StartTimer(q, 1000 + rt.Random(500), "tick", [&, q] { tick(q); });
    if (ticks % 7 == 0) rt.RunAndWait(kRegion1, "apply snapshot", [] {});
  };
  rt.StartTimer(kRaft1, 1000, "tick", [&] { tick(kRaft1); });
  rt.StartTimer(kRaft2, 1000, "tick", [&] { tick(kRaft2); });
  for (int i = 0; i < 5; ++i) rt.Post(kRegion1, "gen " + std::to_string(i), [] {});
  rt.RunFor(1'000'000);
  return rt.trace();
}

TEST(SimRuntime, SameSeedSameRunEventForEvent) {
  const uint64_t seed = testutil::TestSeed();
  const std::vector<Event> first = RunWorkload(seed);
  const std::vector<Event> second = RunWorkload(seed);
  ASSERT_GT(first.size(), 40u);
  ASSERT_EQ(first.size(), second.size()) << "seed " << seed << " gave runs of different length";
  for (size_t i = 0; i < first.size(); ++i) {
    ASSERT_EQ(first[i], second[i]) << "seed " << seed << ": runs diverge at event " << i << ": "
                                   << first[i].ToString() << " vs " << second[i].ToString();
  }
}

TEST(SimRuntime, DifferentSeedsExploreDifferentInterleavings) {
  int distinct = 0;
  const std::vector<Event> base = RunWorkload(testutil::DeriveSeed(0));
  for (uint64_t i = 1; i <= 5; ++i) distinct += RunWorkload(testutil::DeriveSeed(i)) != base;
  EXPECT_GE(distinct, 4) << "the seed should change the order of events";
}

TEST(SimRuntime, TasksOfOneQueueRunInPostOrder) {
  SimRuntime rt(testutil::TestSeed());
  std::vector<int> order;
  for (int i = 0; i < 20; ++i) {
    rt.Post(kRaft1, "a", [&order, i] { order.push_back(i); });
    rt.Post(kRaft2, "b", [] {});
  }
  while (rt.Step()) {
  }
  std::vector<int> want(20);
  for (int i = 0; i < 20; ++i) want[i] = i;
  EXPECT_EQ(order, want);
}

TEST(SimRuntime, TimersFireInVirtualTimeAndCanBeCancelled) {
  SimRuntime rt(testutil::TestSeed());
  std::vector<std::pair<Micros, std::string>> fired;
  rt.StartTimer(kRaft1, 300, "late", [&] { fired.emplace_back(rt.Now(), "late"); });
  rt.StartTimer(kRaft1, 100, "early", [&] { fired.emplace_back(rt.Now(), "early"); });
  TimerId cancelled = rt.StartTimer(kRaft1, 200, "cancelled", [&] { fired.emplace_back(0, "x"); });
  rt.CancelTimer(cancelled);
  rt.RunFor(250);
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0], std::make_pair(Micros{100}, std::string("early")));
  EXPECT_EQ(rt.Now(), 250u);
  rt.RunFor(1000);
  ASSERT_EQ(fired.size(), 2u);
  EXPECT_EQ(fired[1], std::make_pair(Micros{300}, std::string("late")));
}

TEST(SimRuntime, RunAndWaitRunsTheWorkersBacklogFirstWithoutAdvancingTime) {
  SimRuntime rt(testutil::TestSeed());
  std::vector<std::string> order;
  rt.Post(kRegion1, "gen", [&] { order.push_back("gen"); });
  rt.StartTimer(kRaft1, 50, "ready", [&] {
    order.push_back("raft before");
    rt.RunAndWait(kRegion1, "apply", [&] { order.push_back("apply"); });
    order.push_back("raft after");
  });
  // Make sure the region worker's backlog is still there when the raft task runs.
  rt.RunAndWait(kRaft2, "noop", [] {});
  rt.RunFor(100);
  const std::vector<std::string> want = {"gen", "raft before", "apply", "raft after"};
  // "gen" may run on its own before the timer fires; either way it precedes "apply".
  EXPECT_EQ(order, want);
}

TEST(SimRuntime, RunAndWaitOnTheCallersOwnQueueRunsInline) {
  SimRuntime rt(testutil::TestSeed());
  bool ran = false;
  rt.Post(kRaft1, "outer", [&] { rt.RunAndWait(kRaft1, "inner", [&] { ran = true; }); });
  while (rt.Step()) {
  }
  EXPECT_TRUE(ran);
}

TEST(SimRuntime, DropStoreLosesItsQueuedTasksAndTimersOnly) {
  SimRuntime rt(testutil::TestSeed());
  int store1 = 0, store2 = 0;
  rt.Post(kRaft1, "x", [&] { ++store1; });
  rt.StartTimer(kRegion1, 10, "y", [&] { ++store1; });
  rt.Post(kRaft2, "z", [&] { ++store2; });
  rt.DropStore(1);
  rt.RunFor(100);
  EXPECT_EQ(store1, 0) << "a crashed store's pending work must be lost";
  EXPECT_EQ(store2, 1);
}

TEST(SimRuntime, RunUntilStopsAtTheDeadlineWhenTheConditionNeverHolds) {
  SimRuntime rt(testutil::TestSeed());
  std::function<void()> tick = [&] { rt.StartTimer(kRaft1, 10, "tick", tick); };
  tick();
  EXPECT_FALSE(rt.RunUntil([] { return false; }, 5000));
  EXPECT_EQ(rt.Now(), 5000u);
}

}  // namespace
}  // namespace runtime
