// RealRuntime: the same contract on real threads. No sleeps: every wait is on a future.

#include "raftstore/runtime/real_runtime.h"

#include <gtest/gtest.h>

#include <future>
#include <vector>

namespace runtime {
namespace {

TEST(RealRuntime, TasksOfOneQueueRunInPostOrder) {
  RealRuntime rt(1);
  std::vector<int> order;
  std::promise<void> done;
  for (int i = 0; i < 100; ++i) rt.Post({1, "raft"}, "t", [&order, i] { order.push_back(i); });
  rt.Post({1, "raft"}, "done", [&] { done.set_value(); });
  done.get_future().wait();
  ASSERT_EQ(order.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(order[i], i);
}

TEST(RealRuntime, TimerFiresOnItsQueue) {
  RealRuntime rt(1);
  std::promise<Micros> fired;
  const Micros start = rt.Now();
  rt.StartTimer({1, "raft"}, 2000, "tick", [&] { fired.set_value(rt.Now()); });
  EXPECT_GE(fired.get_future().get() - start, 2000u);
}

TEST(RealRuntime, RunAndWaitReturnsAfterTheTaskRan) {
  RealRuntime rt(1);
  int value = 0;
  std::promise<int> seen;
  rt.Post({1, "raft"}, "outer", [&] {
    rt.RunAndWait({1, "region"}, "apply", [&] { value = 42; });
    rt.RunAndWait({1, "raft"}, "inline", [&] { value += 1; });  // own queue: inline
    seen.set_value(value);
  });
  EXPECT_EQ(seen.get_future().get(), 43);
}

}  // namespace
}  // namespace runtime
