// Lab 2C: what a lagging follower costs (public suite, part of //raft/tests:snapshot_2c_test),
// on raft::sim::Cluster (raft/sim/cluster.h) driven through RawNode, with Raft's safety
// properties checked after every step and counters of the snapshots sent and applied.

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
using test::ClusterFor;
using test::Converged;

// How many snapshots a follower that fell behind the leader's compaction may cost, on a
// network where messages take 0 or 1 tick and may overtake each other, with one write per
// tick going on. One is needed. Each message the follower sent *before* it restored that
// snapshot and that reaches the leader *after* the leader sent it (a heartbeat response, or
// the rejection of an append that was already on its way) says "I am behind", and the leader
// cannot tell it from a lost snapshot: it sends another. With messages in flight for at most
// one tick, the follower has at most a heartbeat response and an append rejection of the tick
// before the snapshot reached it in flight: at most two more. (The reference needs 1 in ~97%
// of runs, 2 in ~3%, 3 in about 1 run in 1000.) A leader that does not move next past the
// snapshot it sent, or a follower that cannot take appends after restoring one, pays a
// snapshot per heartbeat instead.
constexpr int kMaxSnapshots = 3;

TEST(Raft2C, LaggingFollowerCatchesUpWithABoundedNumberOfSnapshots) {
  const int runs = 10;
  for (int run = 0; run < runs && !::testing::Test::HasFailure(); ++run) {
    const uint64_t seed = testutil::DeriveSeed(run);
    SCOPED_TRACE("run " + std::to_string(run) + " of " + std::to_string(runs) + " (cluster seed " +
                 std::to_string(seed) + ")");
    const size_t n = run % 2 == 0 ? 3 : 5;
    Cluster c(ClusterFor(n, Driver::kRawNode, seed));
    sim::SimRandom rng(seed);
    ASSERT_TRUE(c.RunUntil([&] { return Converged(c); }, 200))
        << "no leader that every node follows within 200 ticks on a reliable network\n"
        << c.FailureReport() << c.DescribeNodes();
    const uint64_t leader = c.Leader();
    uint64_t f = 1 + rng.Below(n);
    while (f == leader) f = 1 + rng.Below(n);

    int sent = 0, restored = 0;
    std::vector<std::string> when;
    c.set_observer([&](const ClusterEvent& e) {
      if (e.type == ClusterEvent::Type::kSnapshotSent && e.peer == f) {
        ++sent;
        when.push_back("tick " + std::to_string(e.tick) + ": snapshot at " +
                       std::to_string(e.index) + " sent by node " + std::to_string(e.node));
      }
      if (e.type == ClusterEvent::Type::kSnapshotApplied && e.node == f) ++restored;
    });

    // The follower is down while the others write and compact their logs past it.
    c.Crash(f);
    for (int i = 0; i < 30; ++i) {
      c.ProposeToLeader("k" + std::to_string(i) + "=" + std::to_string(i));
      c.Tick();
    }
    c.Tick(3);
    for (uint64_t id : c.ids()) {
      if (id != f) c.Compact(id);
    }
    c.Tick(2);  // every node's RawNode has seen the compaction (Advance -> maybeCompact)
    ASSERT_FALSE(c.failed()) << c.FailureReport();
    const uint64_t compacted = c.Status(leader).first_index - 1;
    ASSERT_GT(compacted, c.Status(f).last_index)
        << "the leader must have compacted past node " << f << "'s log\n"
        << c.DescribeNodes();

    // It comes back while writes go on; messages take 0-1 tick and may overtake each other.
    c.SetFaults({.max_delay = 1, .reorder = true});
    c.Restart(f);
    int caught_up_at = -1;
    for (int t = 0; t < 150 && !c.failed(); ++t) {
      if (t < 40) c.ProposeToLeader("m" + std::to_string(t) + "=" + std::to_string(t));
      c.Tick();
      if (caught_up_at < 0 && c.Status(f).applied >= c.Status(leader).committed - 1) {
        caught_up_at = t;
      }
    }
    ASSERT_FALSE(c.failed()) << c.FailureReport();
    std::string sends;
    for (const std::string& s : when) sends += "\n    " + s;
    ASSERT_GE(restored, 1) << "node " << f << " needed entries the leader compacted (up to "
                           << compacted << "): only a snapshot can bring it back\n"
                           << c.DescribeNodes() << c.counters().ToString();
    ASSERT_GE(caught_up_at, 0) << "node " << f << " did not catch up within 150 ticks\n"
                               << c.DescribeNodes();
    EXPECT_LE(sent, kMaxSnapshots)
        << "node " << f << " cost " << sent << " snapshots to catch up (at most " << kMaxSnapshots
        << ": one, plus one for each of its 'I am behind' messages already "
        << "in flight when the first was sent; see kMaxSnapshots). Once a snapshot is sent, "
        << "the leader must move next past it, and the follower, once restored, must accept "
        << "the appends that follow it." << sends << "\n"
        << c.DescribeNodes() << "  " << c.counters().ToString();
    EXPECT_EQ(c.Status(f).applied, c.Status(leader).applied) << c.DescribeNodes();
  }
}

}  // namespace
}  // namespace raft
