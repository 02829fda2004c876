// Hidden lab 2AA: vote grants from an earlier term, delivered late (part of
// //grader/hidden/raft:random_election_2aa_test).
//
// A vote is granted for one term. A candidate that times out and campaigns again must count
// only the answers of its new term: the grants it received for the old one say nothing about
// who the voters chose since. Random runs rarely catch a Raft that counts them anyway (an
// answer has to be delayed by a whole election timeout), so this scenario holds them back on
// purpose:
//
//   C campaigns in term t; every peer grants, but the answers are held in the network;
//   C is cut off; D campaigns in term t+1 and wins with the others' votes;
//   C, still cut off, campaigns again: term t+1, the same as D's;
//   the network heals and delivers C's held grants of term t.
//
// Counting them makes C a second leader of term t+1: the SafetyChecker reports Election
// Safety. Roles, the group size (3 or 5), which answers are delivered and idle ticks vary with
// the seed.

#include <gtest/gtest.h>

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

TEST(Hidden2AA, VoteGrantsOfAnEarlierTermDeliveredLateDoNotElect) {
  ForEachRun(30, [&](int run, uint64_t seed, const std::string& replay) {
    const size_t n = run % 2 == 0 ? 5 : 3;
    Cluster c(HiddenOptions(n, Driver::kRaft, seed, replay));
    raft::sim::SimRandom rng(seed);
    std::vector<uint64_t> ids = c.ids();
    for (size_t i = ids.size(); i > 1; --i) std::swap(ids[i - 1], ids[rng.Below(i)]);
    const uint64_t cand = ids[0], rival = ids[1];
    SCOPED_TRACE("candidate " + std::to_string(cand) + ", rival " + std::to_string(rival) + ", " +
                 std::to_string(n) + " nodes");

    std::vector<Message> held;
    c.SetSendHook([&](const Message& m) -> std::vector<Message> {
      if (m.msg_type() == eraftpb::MsgRequestVoteResponse && m.to() == cand) {
        held.push_back(m);
        return {};
      }
      return {m};
    });
    c.Campaign(cand);
    c.DeliverDue();
    const uint64_t t = c.Status(cand).term;
    ASSERT_TRUE(c.Status(cand).role == Role::kCandidate)
        << "node " << cand << " campaigned; the answers are held back, so it must still be a "
        << "candidate, but it is a " << raft::sim::RoleName(c.Status(cand).role) << "\n"
        << c.FailureReport() << c.DescribeNodes();
    ASSERT_EQ(held.size(), n - 1) << "every peer answers node " << cand << "'s vote request\n"
                                  << c.DescribeNodes();

    c.Isolate(cand);
    c.Campaign(rival);
    c.DeliverDue();
    ASSERT_TRUE(c.Status(rival).role == Role::kLeader)
        << "node " << rival << " campaigned in a new term with every node but " << cand
        << " reachable: it must win\n"
        << c.FailureReport() << c.DescribeNodes();
    const uint64_t rival_term = c.Status(rival).term;
    c.Tick(static_cast<int>(rng.Below(4)));  // less than an election timeout

    // The candidate campaigns (cut off) until it reaches the rival's term.
    for (int i = 0; i < 3 && c.Status(cand).term < rival_term; ++i) c.Campaign(cand);
    ASSERT_EQ(c.Status(cand).term, rival_term)
        << "node " << cand << ", cut off, campaigned until it reached node " << rival << "'s term\n"
        << c.DescribeNodes();
    ASSERT_TRUE(c.Status(cand).role == Role::kCandidate)
        << "node " << cand << ", cut off, campaigned again\n"
        << c.DescribeNodes();

    // The old grants arrive: all of them, or just enough to make a majority with its own vote.
    c.SetSendHook(nullptr);
    c.Heal();
    size_t deliver = held.size();
    if (rng.Chance(0.5)) deliver = n / 2;
    for (size_t i = 0; i < deliver; ++i) c.Inject(held[i]);
    c.DeliverDue();
    ASSERT_FALSE(c.failed()) << "grants of term " << t << " reached node " << cand
                             << " while it campaigned in term " << rival_term << ", where node "
                             << rival << " already leads\n"
                             << c.FailureReport();
    EXPECT_NE(c.Status(cand).role, Role::kLeader)
        << "node " << cand << " became leader of term " << c.Status(cand).term
        << " by counting vote grants of term " << t << " (answers to its earlier campaign, "
        << "delivered late): a candidate counts only the votes of its current term\n"
        << c.DescribeNodes() << "  replay: " << replay;

    ASSERT_NE(SettleLeader(c, 300), 0u) << c.FailureReport();
  });
}

}  // namespace
}  // namespace hidden
