// Lab 2AA: whole clusters measured by counters (public suite, part of
// //raft/tests:election_2aa_test). The cluster is raft::sim::Cluster (raft/sim/cluster.h): five
// of your nodes in one thread, virtual time, a seeded network, Raft's safety properties checked
// after every step, and counters of what happened (elections started, term changes, leaders
// elected). Nodes are driven through the bare Raft (tick, Step, msgs), as in the rest of 2AA.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "raft/sim/cluster.h"
#include "raft/sim/sim_random.h"
#include "raft/tests/sim_scenarios.h"
#include "testutil/seed.h"

namespace raft {
namespace {

using sim::Cluster;
using sim::ClusterEvent;
using sim::Driver;
using sim::Role;
using test::ClusterFor;
using test::Converged;

TEST(Raft2AA, StableClusterHoldsNoElectionAfterTheFirst) {
  Cluster c(ClusterFor(5, Driver::kRaft, testutil::TestSeed()));
  ASSERT_TRUE(c.RunUntil([&] { return Converged(c); }, 200))
      << "5 nodes on a reliable network must elect a leader that everyone follows within 200 "
         "ticks (election timeout 10-19 ticks)\n"
      << c.FailureReport() << c.DescribeNodes();
  const uint64_t leader = c.Leader();
  const sim::Counters start = c.counters();
  std::vector<std::string> extra;  // elections after the first, for the message
  c.set_observer([&](const ClusterEvent& e) {
    if (e.type == ClusterEvent::Type::kCampaign && extra.size() < 5) {
      extra.push_back("tick " + std::to_string(e.tick) + ": node " + std::to_string(e.node) +
                      " campaigned for term " + std::to_string(e.term));
    }
  });

  c.Tick(1000);
  ASSERT_FALSE(c.failed()) << c.FailureReport();
  std::string campaigns;
  for (const std::string& s : extra) campaigns += "\n    " + s;
  EXPECT_EQ(c.counters().elections_started, start.elections_started)
      << "with leader " << leader << " sending heartbeats every tick on a network that loses "
      << "nothing, no node may start an election in 1000 ticks (a follower's election timer "
      << "restarts on every heartbeat or append from the leader; the leader never campaigns). "
      << "Elections started: " << c.counters().elections_started - start.elections_started
      << campaigns << "\n"
      << c.DescribeNodes();
  EXPECT_EQ(c.counters().term_changes, start.term_changes)
      << "no node may move to a new term in a stable cluster\n"
      << c.DescribeNodes();
  EXPECT_EQ(c.counters().leaders_elected, start.leaders_elected) << c.DescribeNodes();
  EXPECT_EQ(c.Leader(), leader) << c.DescribeNodes();
}

TEST(Raft2AA, IsolatedNodesTermGrowsAndTheClusterReconvergesAfterHeal) {
  const uint64_t seed = testutil::TestSeed();
  Cluster c(ClusterFor(5, Driver::kRaft, seed));
  sim::SimRandom rng(seed);
  ASSERT_TRUE(c.RunUntil([&] { return Converged(c); }, 200))
      << "no leader that every node follows within 200 ticks on a reliable network\n"
      << c.FailureReport() << c.DescribeNodes();
  const uint64_t leader = c.Leader();
  uint64_t m = 1 + rng.Below(5);
  while (m == leader) m = 1 + rng.Below(5);
  const uint64_t term = c.Status(leader).term;

  c.Isolate(m);
  c.Tick(200);
  ASSERT_FALSE(c.failed()) << c.FailureReport();
  const uint64_t m_term = c.Status(m).term;
  EXPECT_GE(m_term, term + 5)
      << "node " << m << " was cut off for 200 ticks: hearing no leader, it must time out and "
      << "campaign again and again (every 10-19 ticks), a new term each time; its term went "
      << "from " << term << " to only " << m_term << "\n"
      << c.DescribeNodes();
  for (uint64_t id : c.ids()) {
    if (id == m) continue;
    EXPECT_EQ(c.Status(id).term, term)
        << "node " << id << " is on the majority side with leader " << leader
        << ": nothing may disturb it while node " << m << " is cut off\n"
        << c.DescribeNodes();
  }
  EXPECT_EQ(c.Leader(), leader) << c.DescribeNodes();

  c.Heal();
  ASSERT_TRUE(c.RunUntil([&] { return Converged(c); }, 300))
      << "after the heal, node " << m << " (term " << m_term << ") and the others must settle "
      << "on one leader that all five follow, within 300 ticks\n"
      << c.FailureReport() << c.DescribeNodes();
  EXPECT_GE(c.Status(c.Leader()).term, m_term)
      << "node " << m << " reached term " << m_term << " and terms never go back: the "
      << "cluster's new term must be at least that\n"
      << c.DescribeNodes();
  ASSERT_FALSE(c.failed()) << c.FailureReport();
}

}  // namespace
}  // namespace raft
