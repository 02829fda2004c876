// Hidden lab 2C suite (the Raft half): log compaction and snapshots in randomized simulated
// clusters, over many seeds. Nodes are driven through RawNode's Ready/Advance; nodes compact
// their logs at random (as raftlog-gc would), so followers that fall behind can only be
// brought back by a snapshot. Every step is checked for Raft's safety properties (a restored
// snapshot must carry exactly the state the others had at its index), and once the network
// heals every node must apply a new write.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "grader/hidden/raft/random_run.h"
#include "raft/sim/cluster.h"
#include "raft/sim/sim_random.h"

namespace hidden {
namespace {

using raft::sim::Cluster;
using raft::sim::ClusterEvent;
using raft::sim::Driver;

ChaosSpec SnapshotSpec(size_t nodes) {
  ChaosSpec s;
  s.nodes = nodes;
  s.driver = Driver::kRawNode;
  s.chaos_ticks = 300;
  s.propose = 0.5;
  s.partition = 0.03;
  s.heal = 0.04;
  s.crash = 0.01;
  s.restart = 0.03;
  s.compact = 0.1;
  s.max_drop = 0.2;
  s.max_duplicate = 0.15;
  s.max_delay = 3;
  s.calm_ticks = 300;
  return s;
}

// Runs `runs` chaos runs; across them, snapshots must actually have been needed.
void ExpectRunsSafeAndLive(const ChaosSpec& spec, int runs) {
  uint64_t snapshots = 0;
  int done = 0;
  ForEachRun(runs, [&](int, uint64_t seed, const std::string& replay) {
    RunResult r = RunChaos(spec, seed, replay);
    ASSERT_TRUE(r.ok) << r.report;
    snapshots += r.counters.snapshots_applied;
    ++done;
  });
  if (!::testing::Test::HasFailure() && done == runs) {
    EXPECT_GT(snapshots, 0u) << "no run needed a snapshot: the suite did not test what it should";
  }
}

TEST(Hidden2C, RandomCompactionThreeNodes) { ExpectRunsSafeAndLive(SnapshotSpec(3), 25); }

TEST(Hidden2C, RandomCompactionFiveNodes) { ExpectRunsSafeAndLive(SnapshotSpec(5), 25); }

TEST(Hidden2C, CompactionWithFrequentRestarts) {
  ChaosSpec s = SnapshotSpec(5);
  s.crash = 0.05;
  s.restart = 0.1;
  s.partition = 0.02;
  ExpectRunsSafeAndLive(s, 20);
}

// Every node compacts nearly every tick: any follower that misses a message needs a
// snapshot, and snapshots get lost, duplicated and reordered.
TEST(Hidden2C, AggressiveCompactionUnderLossAndDuplication) {
  ChaosSpec s = SnapshotSpec(5);
  s.compact = 0.9;
  s.max_drop = 0.3;
  s.max_duplicate = 0.3;
  s.crash = 0.02;
  s.restart = 0.05;
  ExpectRunsSafeAndLive(s, 20);
}

// The story of the demo, with random choices and faults while catching up: a follower is
// cut off, the others commit and compact past it, the partition heals, and the follower must
// come back through a snapshot (and then keep replicating normally).
TEST(Hidden2C, ALaggingFollowerIsBroughtBackBySnapshot) {
  ForEachRun(20, [&](int, uint64_t seed, const std::string& replay) {
    const size_t n = seed % 2 == 0 ? 3 : 5;
    Cluster c(HiddenOptions(n, Driver::kRawNode, seed, replay));
    raft::sim::SimRandom rng(seed);
    uint64_t restored_by_lagging = 0;
    uint64_t lagging = 0;
    c.set_observer([&](const ClusterEvent& e) {
      if (e.type == ClusterEvent::Type::kSnapshotApplied && e.node == lagging) {
        ++restored_by_lagging;
      }
    });
    const uint64_t leader = SettleLeader(c, 150);
    ASSERT_NE(leader, 0u) << c.FailureReport();
    lagging = 1 + rng.Below(n);
    while (lagging == leader) lagging = 1 + rng.Below(n);
    c.Isolate(lagging);
    if (rng.Chance(0.5)) c.Crash(lagging);
    const int writes = 10 + static_cast<int>(rng.Below(40));
    for (int i = 0; i < writes; ++i) {
      c.ProposeToLeader("k" + std::to_string(i) + "=" + std::to_string(i));
      c.Tick();
    }
    c.Tick(5);
    for (uint64_t id : c.ids()) {
      if (id != lagging) c.Compact(id);
    }
    ASSERT_FALSE(c.failed()) << c.FailureReport();
    c.Heal();
    c.SetFaults({.drop = rng.Unit() * 0.2,
                 .duplicate = rng.Unit() * 0.2,
                 .max_delay = static_cast<int>(rng.Below(3)),
                 .reorder = rng.Chance(0.5)});
    c.Tick(static_cast<int>(rng.Below(50)));
    ASSERT_NE(SettleLeader(c, 300), 0u) << c.FailureReport();
    ASSERT_TRUE(CommitEverywhere(c, "after", "heal", 300)) << c.FailureReport();
    c.Tick(3);
    ASSERT_TRUE(StateMachinesAgree(c)) << c.FailureReport();
    EXPECT_GE(restored_by_lagging, 1u)
        << "node " << lagging << " caught up without restoring a snapshot, yet the entries it "
        << "lacked were compacted on every other node\n"
        << c.DescribeNodes();
    EXPECT_EQ(c.state_machine(lagging).Get("k0"), "0") << "the snapshot carries the state";
  });
}

// Nodes restart from compacted storage: the state machine comes back from the snapshot in
// storage, Raft from the HardState and the entries after the snapshot.
TEST(Hidden2C, RestartFromCompactedStorage) {
  ForEachRun(20, [&](int, uint64_t seed, const std::string& replay) {
    Cluster c(HiddenOptions(5, Driver::kRawNode, seed, replay));
    raft::sim::SimRandom rng(seed);
    ASSERT_NE(SettleLeader(c, 150), 0u) << c.FailureReport();
    for (int round = 0; round < 6 && !c.failed(); ++round) {
      for (int i = 0; i < 10; ++i) {
        c.ProposeToLeader("r" + std::to_string(round) + "k" + std::to_string(i) + "=v");
        c.Tick();
      }
      const uint64_t id = 1 + rng.Below(5);
      c.Compact(id);
      for (int i = 0; i < 3; ++i) {
        c.ProposeToLeader("r" + std::to_string(round) + "x" + std::to_string(i) + "=v");
        c.Tick();
      }
      c.Restart(rng.Chance(0.5) ? id : 1 + rng.Below(5));
      c.Tick(static_cast<int>(rng.Below(15)));
    }
    ASSERT_FALSE(c.failed()) << c.FailureReport();
    ASSERT_NE(SettleLeader(c, 300), 0u) << c.FailureReport();
    ASSERT_TRUE(CommitEverywhere(c, "final", "1", 300)) << c.FailureReport();
    c.Tick(3);
    ASSERT_TRUE(StateMachinesAgree(c)) << c.FailureReport();
  });
}

}  // namespace
}  // namespace hidden
