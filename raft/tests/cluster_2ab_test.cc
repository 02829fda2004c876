// Lab 2AB: a whole cluster through a partition and back (public suite, part of
// //raft/tests:replication_2ab_test), on raft::sim::Cluster (raft/sim/cluster.h): Raft's safety
// properties are checked after every step, and the counters say what happened. Nodes are
// driven through the bare Raft, as in the rest of 2AB.

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
using sim::Driver;
using test::ClusterFor;
using test::Converged;

// Proposes key=value at the leader (again now and then, in case a leader change lost it)
// until every node applied it.
bool WriteEverywhere(Cluster& c, const std::string& key, const std::string& value) {
  int since = 1 << 20;
  return c.RunUntil(
      [&] {
        if (c.AllApplied(key, value)) return true;
        if (++since >= 25 && c.ProposeToLeader(key + "=" + value) != 0) since = 0;
        return false;
      },
      300);
}

TEST(Raft2AB, IsolatedFollowerRejoinsAndEveryLogMatches) {
  const uint64_t seed = testutil::TestSeed();
  Cluster c(ClusterFor(5, Driver::kRaft, seed));
  sim::SimRandom rng(seed);
  ASSERT_TRUE(c.RunUntil([&] { return Converged(c); }, 200))
      << "no leader that every node follows within 200 ticks on a reliable network\n"
      << c.FailureReport() << c.DescribeNodes();
  ASSERT_TRUE(WriteEverywhere(c, "before", "1")) << c.FailureReport() << c.DescribeNodes();
  const uint64_t leader = c.Leader();
  uint64_t m = 1 + rng.Below(5);
  while (m == leader) m = 1 + rng.Below(5);
  const uint64_t term = c.Status(m).term;

  // Node m is cut off while the majority keeps writing.
  c.Isolate(m);
  for (int i = 0; i < 40; ++i) {
    c.ProposeToLeader("k" + std::to_string(i) + "=" + std::to_string(i));
    c.Tick(1 + static_cast<int>(rng.Below(4)));
  }
  ASSERT_FALSE(c.failed()) << c.FailureReport();
  const uint64_t m_term = c.Status(m).term;
  EXPECT_GT(m_term, term) << "node " << m << " heard no leader for many election timeouts: it "
                          << "must have campaigned (in vain)\n"
                          << c.DescribeNodes();
  EXPECT_EQ(c.Leader(), leader) << "the majority side must keep its leader\n" << c.DescribeNodes();

  c.Heal();
  ASSERT_TRUE(c.RunUntil([&] { return Converged(c); }, 300))
      << "after the heal the five nodes must settle on one leader\n"
      << c.FailureReport() << c.DescribeNodes();
  EXPECT_NE(c.Leader(), m) << "node " << m << " missed 40 committed writes: its log is behind, "
                           << "so no majority may vote for it (election restriction)\n"
                           << c.DescribeNodes();
  ASSERT_TRUE(WriteEverywhere(c, "after", "1"))
      << "a write after the heal must reach every node, node " << m << " included\n"
      << c.FailureReport() << c.DescribeNodes();
  c.Tick(3);  // the followers learn the final commit index
  ASSERT_FALSE(c.failed()) << c.FailureReport();

  const sim::LogView& ref = c.log_view(c.Leader());
  for (uint64_t id : c.ids()) {
    const sim::LogView& log = c.log_view(id);
    EXPECT_TRUE(log.first() == ref.first() && log.entries() == ref.entries())
        << "node " << id << "'s log " << log.Describe() << " differs from leader " << c.Leader()
        << "'s " << ref.Describe() << ": after the heal and a committed write every log must "
        << "be the leader's (conflicting entries replaced, missing ones sent)\n"
        << c.DescribeNodes();
    EXPECT_EQ(c.state_machine(id).digest(), c.state_machine(c.Leader()).digest())
        << "node " << id << " applied a different sequence of entries than the leader\n"
        << c.DescribeNodes();
  }
  EXPECT_EQ(c.state_machine(m).Get("k39"), "39")
      << "node " << m << " must have caught up on every write it missed\n"
      << c.DescribeNodes();
}

}  // namespace
}  // namespace raft
