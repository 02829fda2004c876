// Hidden lab 2AB: the Raft paper's Figure 8, randomized over seeds (part of
// //grader/hidden/raft:random_replication_2ab_test).
//
// The rule under test (§5.4.2): a leader commits by counting replicas only entries of its own
// term. In random runs a Raft that drops the rule goes unnoticed, because a new leader's no-op
// travels in the same append as the old entries before it: by the time a majority holds an old
// entry, it holds the no-op too. So this scenario cuts appends short, the way a leader that
// limits the size of its messages would send them, and walks five nodes through Figure 8:
//
//   (a) S1 leads term t and replicates entries X (term t) to S2 only;
//   (b) S5 wins term t+1 with S3's and S4's votes, appends its own entries at X's indexes, and
//       crashes before they reach anyone;
//   (c) S1 wins a later term T and brings S3 and S4 up to date — but the appends that reach
//       them stop before its no-op: a majority (S1-S4) holds X, none holds an entry of term T.
//       Counting replicas, S1 must NOT commit X;
//   (d) S1 crashes; S5 restarts and wins (its last term, t+1, beats X's term t on S2-S4) and
//       overwrites X everywhere. Had X been committed, a committed entry would be lost.
//
// The SafetyChecker runs after every step: a leader that committed X in (c) is caught in (d)
// as a Leader Completeness violation (and X applied then overwritten as a State Machine Safety
// one). Roles, the number of entries, idle ticks and election timeouts vary with the seed.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "grader/hidden/raft/random_run.h"
#include "raft/sim/cluster.h"
#include "raft/sim/sim_random.h"

namespace hidden {
namespace {

using eraftpb::Message;
using raft::sim::Cluster;
using raft::sim::Driver;
using raft::sim::Role;

// The append as a leader that sends old entries and new ones in separate messages would send
// its first part: only the entries of terms before the leader's. (A follower answers it like any
// append; the rest would follow in a later message, which this network loses.)
Message WithoutCurrentTermEntries(const Message& m) {
  Message cut = m;
  cut.clear_entries();
  for (const eraftpb::Entry& e : m.entries()) {
    if (e.term() >= m.term()) break;
    *cut.add_entries() = e;
  }
  return cut;
}

// Makes `id` leader of a term above `above` (campaigning, and delivering what follows, up to
// `tries` times). A node that still leads an older term first hears of the newer one.
bool ElectNode(Cluster& c, uint64_t id, int tries, uint64_t above = 0) {
  for (int i = 0; i < tries && !c.failed(); ++i) {
    const raft::sim::NodeStatus s = c.Status(id);
    if (s.role == Role::kLeader && s.term > above) return true;
    if (s.role == Role::kLeader) {
      c.Tick();  // a stale leader: its heartbeats bring back the newer term
    } else {
      c.Campaign(id);
      c.DeliverDue();
    }
  }
  const raft::sim::NodeStatus s = c.Status(id);
  return s.role == Role::kLeader && s.term > above;
}

// Whether node id's persisted log holds, at every index of `want`, the entry of the same term.
bool Holds(const Cluster& c, uint64_t id, const std::vector<std::pair<uint64_t, uint64_t>>& want) {
  for (const auto& [index, term] : want) {
    const raft::sim::EntryId* e = c.log_view(id).At(index);
    if (e == nullptr || e->term != term) return false;
  }
  return true;
}

TEST(Hidden2AB, Figure8OldTermEntriesAreNotCommittedByCounting) {
  int reached = 0;  // runs that reached Figure 8's step (c) as designed
  const int runs = 30;
  ForEachRun(runs, [&](int, uint64_t seed, const std::string& replay) {
    Cluster c(HiddenOptions(5, Driver::kRaft, seed, replay));
    raft::sim::SimRandom rng(seed);
    std::vector<uint64_t> ids = c.ids();
    for (size_t i = ids.size(); i > 1; --i) std::swap(ids[i - 1], ids[rng.Below(i)]);
    const uint64_t s1 = ids[0], s2 = ids[1], s3 = ids[2], s4 = ids[3], s5 = ids[4];
    const std::string roles = "S1..S5 = nodes " + std::to_string(s1) + ", " + std::to_string(s2) +
                              ", " + std::to_string(s3) + ", " + std::to_string(s4) + ", " +
                              std::to_string(s5);
    SCOPED_TRACE(roles);

    // (a) S1 leads; X reaches S2 only.
    ASSERT_TRUE(ElectNode(c, s1, 3)) << "node " << s1 << " campaigned on a quiet network and "
                                     << "did not win\n"
                                     << c.FailureReport() << c.DescribeNodes();
    ASSERT_TRUE(CommitEverywhere(c, "base", "1", 200)) << c.FailureReport();
    c.Partition({{s1, s2}, {s3, s4, s5}});
    const int xs = 1 + static_cast<int>(rng.Below(3));
    for (int i = 0; i < xs; ++i) c.Propose(s1, "x" + std::to_string(i) + "=1");
    c.Tick(1 + static_cast<int>(rng.Below(2)));
    const uint64_t t = c.Status(s1).term;
    std::vector<std::pair<uint64_t, uint64_t>> x;  // (index, term) of X
    for (uint64_t i = c.log_view(s1).last() - xs + 1; i <= c.log_view(s1).last(); ++i) {
      x.push_back({i, t});
    }
    ASSERT_TRUE(Holds(c, s1, x) && Holds(c, s2, x))
        << "leader " << s1 << " must have replicated its " << xs << " new entries to " << s2 << "\n"
        << c.FailureReport() << c.DescribeNodes();

    // (b) S5 wins the other side; its appends never leave it; it crashes.
    c.SetSendHook([&](const Message& m) -> std::vector<Message> {
      if (m.from() == s5 && m.msg_type() == eraftpb::MsgAppend) return {};
      return {m};
    });
    ASSERT_TRUE(ElectNode(c, s5, 3))
        << "node " << s5 << " must win the majority side (" << s3 << ", " << s4 << " vote for it)\n"
        << c.FailureReport() << c.DescribeNodes();
    const int ys = static_cast<int>(rng.Below(3));
    for (int i = 0; i < ys; ++i) c.Propose(s5, "y" + std::to_string(i) + "=1");
    c.Crash(s5);

    // (c) S1 wins a later term; appends reach the others without its no-op.
    c.SetSendHook([&](const Message& m) -> std::vector<Message> {
      if (m.msg_type() == eraftpb::MsgAppend && (m.from() == s1 || m.from() == s2)) {
        return {WithoutCurrentTermEntries(m)};
      }
      return {m};
    });
    c.Heal();
    c.Tick(static_cast<int>(rng.Below(3)));
    ASSERT_TRUE(ElectNode(c, s1, 5, t + 1))
        << "node " << s1 << " holds the longest log of the running nodes and must win an "
        << "election (it may take two campaigns: " << s3 << " and " << s4 << " voted for " << s5
        << " in term " << t + 1 << ")\n"
        << c.FailureReport() << c.DescribeNodes();
    for (int i = 0; i < 4 && !(Holds(c, s3, x) && Holds(c, s4, x)); ++i) c.Tick();
    ASSERT_FALSE(c.failed()) << c.FailureReport();
    const uint64_t big_t = c.Status(s1).term;
    const bool figure8 =
        c.Status(s1).role == Role::kLeader && Holds(c, s2, x) && Holds(c, s3, x) && Holds(c, s4, x);
    if (figure8) {
      ++reached;
      EXPECT_LT(c.Status(s1).committed, x.front().first)
          << "§5.4.2 (Raft paper, Figure 8): leader " << s1 << " of term " << big_t
          << " committed index " << c.Status(s1).committed << " — entries of term " << t
          << " — because nodes " << s1 << ", " << s2 << ", " << s3 << ", " << s4
          << " hold them. But none holds an entry of term " << big_t << ", so node " << s5
          << " (crashed, last log term " << t + 1
          << ") can still win and overwrite them. A leader commits by counting replicas only "
          << "entries of its own term.\n"
          << c.DescribeNodes() << "  replay: " << replay;
    }

    // (d) S1 crashes, S5 comes back and wins.
    c.SetSendHook(nullptr);
    c.Crash(s1);
    c.Restart(s5);
    const bool s5_won = ElectNode(c, s5, 4, c.Status(s2).term);
    ASSERT_FALSE(c.failed()) << c.FailureReport();
    if (figure8) {
      EXPECT_TRUE(s5_won) << "node " << s5 << " (last log term " << t + 1 << ") must win "
                          << "against logs whose last term is " << t << "\n"
                          << c.DescribeNodes();
    }

    // Whatever happened, the cluster must recover and agree.
    ASSERT_NE(SettleLeader(c, 300), 0u) << c.FailureReport();
    ASSERT_TRUE(CommitEverywhere(c, "after", "1", 300)) << c.FailureReport();
    c.Tick(3);
    ASSERT_TRUE(StateMachinesAgree(c)) << c.FailureReport();
  });
  if (!::testing::Test::HasFailure() && std::getenv("TINYKV_SIM_RUN") == nullptr) {
    EXPECT_GE(reached, runs / 3) << "only " << reached << " of " << runs << " runs reached "
                                 << "Figure 8's step (c): the scenario did not test what it "
                                 << "should";
  }
}

}  // namespace
}  // namespace hidden
