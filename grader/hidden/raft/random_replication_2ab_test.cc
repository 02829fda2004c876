// Hidden lab 2AB suite: log replication in randomized simulated clusters, over many seeds.
// Nodes are driven through the bare Raft (tick, Step, msgs, unstableEntries/nextEnts), as in
// the public 2AB tests; clients write throughout; every step is checked for Raft's safety
// properties, and once the network heals every node must apply a new write.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "grader/hidden/raft/random_run.h"
#include "raft/sim/cluster.h"
#include "raft/sim/sim_random.h"

namespace hidden {
namespace {

using raft::sim::Cluster;
using raft::sim::Driver;

ChaosSpec ReplicationSpec(size_t nodes) {
  ChaosSpec s;
  s.nodes = nodes;
  s.driver = Driver::kRaft;
  s.chaos_ticks = 300;
  s.propose = 0.4;
  s.partition = 0.03;
  s.heal = 0.04;
  s.crash = 0.01;
  s.restart = 0.03;
  s.max_drop = 0.25;
  s.max_duplicate = 0.15;
  s.max_delay = 3;
  s.calm_ticks = 300;
  return s;
}

void ExpectRunsSafeAndLive(const ChaosSpec& spec, int runs) {
  uint64_t committed_somewhere = 0;
  ForEachRun(runs, [&](int, uint64_t seed, const std::string& replay) {
    RunResult r = RunChaos(spec, seed, replay);
    ASSERT_TRUE(r.ok) << r.report;
    committed_somewhere += r.counters.proposals - r.counters.proposals_refused;
  });
}

TEST(Hidden2AB, RandomFaultsThreeNodes) { ExpectRunsSafeAndLive(ReplicationSpec(3), 30); }

TEST(Hidden2AB, RandomFaultsFiveNodes) { ExpectRunsSafeAndLive(ReplicationSpec(5), 30); }

TEST(Hidden2AB, HeavyDuplicationDelayAndReordering) {
  ChaosSpec s = ReplicationSpec(5);
  s.max_drop = 0.05;
  s.max_duplicate = 0.5;
  s.max_delay = 5;
  s.refault = 0.1;
  s.crash = 0;
  s.restart = 0;
  ExpectRunsSafeAndLive(s, 20);
}

TEST(Hidden2AB, FrequentRestartsWhileWriting) {
  ChaosSpec s = ReplicationSpec(5);
  s.crash = 0.05;
  s.restart = 0.1;
  s.partition = 0.01;
  ExpectRunsSafeAndLive(s, 20);
}

// A leader cut off with one follower keeps accepting writes that can never commit; the
// majority elects a new leader and commits its own. After the heal the stale entries must be
// overwritten everywhere and never applied.
TEST(Hidden2AB, AStaleLeadersWritesAreOverwritten) {
  ForEachRun(20, [&](int, uint64_t seed, const std::string& replay) {
    Cluster c(HiddenOptions(5, Driver::kRaft, seed, replay));
    raft::sim::SimRandom rng(seed);
    const uint64_t old = SettleLeader(c, 150);
    ASSERT_NE(old, 0u) << c.FailureReport();
    ASSERT_TRUE(CommitEverywhere(c, "before", "1", 200)) << c.FailureReport();
    std::vector<uint64_t> minority = {old}, majority;
    for (uint64_t id : c.ids()) {
      if (id == old) continue;
      (minority.size() < 2 && rng.Chance(0.5) ? minority : majority).push_back(id);
    }
    c.Partition({minority, majority});
    const int stale_writes = 3 + static_cast<int>(rng.Below(8));
    for (int i = 0; i < stale_writes; ++i) {
      c.Propose(old, "stale" + std::to_string(i) + "=x");
      c.Tick();
    }
    ASSERT_TRUE(c.RunUntil(
        [&] {
          const uint64_t l = c.Leader();
          return l != 0 && l != old;
        },
        150))
        << "the majority elected no leader\n"
        << c.FailureReport() << c.DescribeNodes();
    const uint64_t fresh = c.Leader();
    for (int i = 0; i < 5; ++i) {
      c.Propose(fresh, "fresh" + std::to_string(i) + "=y");
      c.Tick();
    }
    c.Tick(static_cast<int>(rng.Below(20)));
    ASSERT_NE(SettleLeader(c, 200), 0u) << c.FailureReport();
    ASSERT_TRUE(CommitEverywhere(c, "after", "1", 300)) << c.FailureReport();
    c.Tick(3);
    ASSERT_TRUE(StateMachinesAgree(c)) << c.FailureReport();
    for (uint64_t id : c.ids()) {
      for (int i = 0; i < stale_writes; ++i) {
        EXPECT_FALSE(c.state_machine(id).Get("stale" + std::to_string(i)).has_value())
            << "node " << id << " applied a write that only a deposed leader's minority had";
      }
    }
  });
}

// Followers that miss a long stretch of the log (crashed or cut off while many writes
// commit) must be brought up to date entry by entry once they are back.
TEST(Hidden2AB, LongLaggingFollowersCatchUp) {
  ForEachRun(15, [&](int, uint64_t seed, const std::string& replay) {
    Cluster c(HiddenOptions(5, Driver::kRaft, seed, replay));
    raft::sim::SimRandom rng(seed);
    const uint64_t leader = SettleLeader(c, 150);
    ASSERT_NE(leader, 0u) << c.FailureReport();
    uint64_t a = 1 + rng.Below(5);
    while (a == leader) a = 1 + rng.Below(5);
    uint64_t b = 1 + rng.Below(5);
    while (b == leader || b == a) b = 1 + rng.Below(5);
    c.Isolate(a);
    c.Crash(b);
    for (int i = 0; i < 60; ++i) {
      c.ProposeToLeader("k" + std::to_string(i) + "=" + std::to_string(i));
      if (i % 3 == 0) c.Tick();
    }
    c.Tick(10);
    ASSERT_FALSE(c.failed()) << c.FailureReport();
    ASSERT_NE(SettleLeader(c, 200), 0u) << c.FailureReport();
    ASSERT_TRUE(CommitEverywhere(c, "done", "1", 300)) << c.FailureReport();
    c.Tick(3);
    ASSERT_TRUE(StateMachinesAgree(c)) << c.FailureReport();
  });
}

}  // namespace
}  // namespace hidden
