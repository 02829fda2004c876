// Hidden lab 2AA suite: leader election in randomized simulated clusters, over many seeds.
// Nodes are driven through the bare Raft (tick, Step, msgs), as in the public 2AA tests, so
// only election is required: no proposals are made here.

#include <gtest/gtest.h>

#include <set>
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

ChaosSpec ElectionSpec(size_t nodes) {
  ChaosSpec s;
  s.nodes = nodes;
  s.driver = Driver::kRaft;
  s.chaos_ticks = 250;
  s.partition = 0.03;
  s.heal = 0.04;
  s.crash = 0.01;
  s.restart = 0.03;
  s.max_drop = 0.3;
  s.max_duplicate = 0.2;
  s.max_delay = 3;
  s.calm_ticks = 200;
  s.require_commit = false;
  return s;
}

void ExpectRunsSafe(const ChaosSpec& spec, int runs) {
  ForEachRun(runs, [&](int, uint64_t seed, const std::string& replay) {
    RunResult r = RunChaos(spec, seed, replay);
    ASSERT_TRUE(r.ok) << r.report;
  });
}

TEST(Hidden2AA, RandomFaultsThreeNodes) { ExpectRunsSafe(ElectionSpec(3), 30); }

TEST(Hidden2AA, RandomFaultsFiveNodes) { ExpectRunsSafe(ElectionSpec(5), 30); }

TEST(Hidden2AA, CrashRestartStormKeepsOneVotePerTerm) {
  ChaosSpec s = ElectionSpec(5);
  s.crash = 0.06;
  s.restart = 0.12;
  s.partition = 0.01;
  ExpectRunsSafe(s, 25);
}

TEST(Hidden2AA, ACalmClusterElectsOnceAndKeepsItsLeader) {
  ForEachRun(20, [&](int, uint64_t seed, const std::string& replay) {
    Cluster c(HiddenOptions(5, Driver::kRaft, seed, replay));
    const uint64_t leader = SettleLeader(c, 100);
    ASSERT_NE(leader, 0u) << c.FailureReport();
    const uint64_t term = c.Status(leader).term;
    c.Tick(300);
    ASSERT_FALSE(c.failed()) << c.FailureReport();
    EXPECT_EQ(c.Leader(), leader) << "without faults, heartbeats must keep the leader in place\n"
                                  << c.DescribeNodes();
    EXPECT_EQ(c.Status(leader).term, term) << "no election may happen in a calm cluster\n"
                                           << c.DescribeNodes();
    EXPECT_LE(c.counters().elections_started, 12u)
        << "too many elections for a calm start (split votes must resolve quickly)";
  });
}

TEST(Hidden2AA, AnIsolatedLeaderIsReplacedAndStepsDownOnHeal) {
  ForEachRun(20, [&](int, uint64_t seed, const std::string& replay) {
    Cluster c(HiddenOptions(5, Driver::kRaft, seed, replay));
    raft::sim::SimRandom rng(seed);
    for (int round = 0; round < 4; ++round) {
      const uint64_t old = SettleLeader(c, 150);
      ASSERT_NE(old, 0u) << c.FailureReport();
      const uint64_t old_term = c.Status(old).term;
      c.Isolate(old);
      ASSERT_TRUE(c.RunUntil(
          [&] {
            for (uint64_t id : c.ids()) {
              if (id != old && c.Status(id).role == raft::sim::Role::kLeader) return true;
            }
            return false;
          },
          150))
          << "the 4 connected nodes elected no new leader within 150 ticks of isolating "
             "leader "
          << old << "\n"
          << c.FailureReport() << c.DescribeNodes();
      c.Tick(static_cast<int>(rng.Below(30)));
      c.Heal();
      const uint64_t now = SettleLeader(c, 150);
      ASSERT_NE(now, 0u) << c.FailureReport();
      EXPECT_GT(c.Status(old).term, old_term) << "the old leader must learn the newer term";
      EXPECT_EQ(c.Status(old).lead, now);
    }
  });
}

TEST(Hidden2AA, AMinorityNeverElectsALeader) {
  ForEachRun(20, [&](int, uint64_t seed, const std::string& replay) {
    Cluster c(HiddenOptions(5, Driver::kRaft, seed, replay));
    raft::sim::SimRandom rng(seed);
    ASSERT_NE(SettleLeader(c, 150), 0u) << c.FailureReport();
    std::vector<uint64_t> ids = c.ids();
    for (size_t i = ids.size(); i > 1; --i) std::swap(ids[i - 1], ids[rng.Below(i)]);
    const std::set<uint64_t> minority(ids.begin(), ids.begin() + 2);
    std::vector<uint64_t> a(minority.begin(), minority.end()), b(ids.begin() + 2, ids.end());
    std::vector<ClusterEvent> elected;
    c.set_observer([&](const ClusterEvent& e) {
      if (e.type == ClusterEvent::Type::kLeaderElected) elected.push_back(e);
    });
    c.Partition({a, b});
    c.SetFaults({.drop = 0.1, .duplicate = 0.1, .max_delay = 2, .reorder = true});
    c.Tick(300);
    ASSERT_FALSE(c.failed()) << c.FailureReport();
    for (const ClusterEvent& e : elected) {
      EXPECT_EQ(minority.count(e.node), 0u)
          << "node " << e.node << " became leader of term " << e.term << " at tick " << e.tick
          << " while partitioned into a minority of 2 out of 5";
    }
    c.set_observer(nullptr);
    ASSERT_NE(SettleLeader(c, 200), 0u) << c.FailureReport();
  });
}

}  // namespace
}  // namespace hidden
