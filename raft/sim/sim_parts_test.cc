// The simulator's parts that need no Raft: the network, log views, the state machine and
// the safety checker, the latter fed hand-built (deliberately broken) clusters.

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "raft/sim/log_view.h"
#include "raft/sim/network.h"
#include "raft/sim/safety_checker.h"
#include "raft/sim/state_machine.h"
#include "raft/sim/trace.h"

namespace raft::sim {
namespace {

eraftpb::Message Msg(uint64_t from, uint64_t to, uint64_t index = 0) {
  eraftpb::Message m;
  m.set_msg_type(eraftpb::MsgHeartbeat);
  m.set_from(from);
  m.set_to(to);
  m.set_index(index);
  return m;
}

eraftpb::Entry Ent(uint64_t index, uint64_t term, const std::string& data = "") {
  eraftpb::Entry e;
  e.set_index(index);
  e.set_term(term);
  e.set_data(data);
  return e;
}

// Pops everything due at `now`, returning the `index` fields in delivery order.
std::vector<uint64_t> Drain(SimNetwork& net, uint64_t now) {
  std::vector<uint64_t> out;
  while (auto m = net.PopDue(now)) out.push_back(m->index());
  return out;
}

TEST(SimNetwork, DeliversInSendOrderWithoutFaults) {
  SimNetwork net(1);
  for (uint64_t i = 1; i <= 5; ++i) net.Send(Msg(1, 2, i), 0);
  EXPECT_EQ(Drain(net, 0), (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(net.in_flight(), 0u);
}

TEST(SimNetwork, DelayedMessagesArriveWithinMaxDelay) {
  SimNetwork net(7);
  net.set_faults({.max_delay = 3});
  for (uint64_t i = 1; i <= 200; ++i) net.Send(Msg(1, 2, i), 10);
  EXPECT_TRUE(Drain(net, 9).empty()) << "nothing may arrive before it was sent";
  size_t got = 0;
  for (uint64_t t = 10; t <= 13; ++t) got += Drain(net, t).size();
  EXPECT_EQ(got, 200u) << "every message arrives within max_delay ticks";
}

TEST(SimNetwork, ReorderShufflesMessagesOfTheSameTick) {
  SimNetwork net(3);
  net.set_faults({.reorder = true});
  for (uint64_t i = 1; i <= 50; ++i) net.Send(Msg(1, 2, i), 0);
  std::vector<uint64_t> got = Drain(net, 0);
  ASSERT_EQ(got.size(), 50u);
  EXPECT_FALSE(std::is_sorted(got.begin(), got.end()));
}

TEST(SimNetwork, DropFractionIsRespected) {
  SimNetwork net(11);
  net.set_faults({.drop = 0.3});
  int dropped = 0;
  for (int i = 0; i < 10000; ++i) dropped += net.Send(Msg(1, 2), 0).dropped ? 1 : 0;
  EXPECT_NEAR(dropped, 3000, 300);
}

TEST(SimNetwork, DuplicationDeliversTwice) {
  SimNetwork net(5);
  net.set_faults({.duplicate = 1.0});
  EXPECT_EQ(net.Send(Msg(1, 2, 9), 0).copies, 2);
  EXPECT_EQ(Drain(net, 0), (std::vector<uint64_t>{9, 9}));
}

TEST(SimNetwork, PartitionsCutAndHealRestores) {
  SimNetwork net(1);
  net.Partition({{1, 2}, {3, 4, 5}});
  EXPECT_TRUE(net.Connected(1, 2));
  EXPECT_TRUE(net.Connected(3, 5));
  EXPECT_FALSE(net.Connected(2, 3));
  EXPECT_TRUE(net.Send(Msg(2, 3), 0).cut);
  EXPECT_EQ(net.DescribePartition({1, 2, 3, 4, 5}), "{1 2} {3 4 5}");
  net.Isolate(4);
  EXPECT_FALSE(net.Connected(3, 4));
  EXPECT_TRUE(net.Connected(3, 5));
  net.Heal();
  EXPECT_TRUE(net.Connected(2, 3));
  EXPECT_TRUE(net.Connected(3, 4));
  EXPECT_EQ(net.DescribePartition({1, 2, 3}), "");
}

TEST(SimNetwork, SameSeedSameChoices) {
  auto run = [](uint64_t seed) {
    SimNetwork net(seed);
    net.set_faults({.drop = 0.2, .duplicate = 0.2, .max_delay = 2, .reorder = true});
    for (uint64_t i = 1; i <= 100; ++i) net.Send(Msg(1, 2, i), 0);
    std::vector<uint64_t> all;
    for (uint64_t t = 0; t <= 2; ++t) {
      for (uint64_t i : Drain(net, t)) all.push_back(i);
    }
    return all;
  };
  EXPECT_EQ(run(42), run(42));
  EXPECT_NE(run(42), run(43));
}

TEST(SimLogView, AppendOverwritesConflictsAndSkipsCompacted) {
  LogView log;
  ASSERT_TRUE(log.Append({Ent(1, 1), Ent(2, 1), Ent(3, 1)}));
  EXPECT_EQ(log.last(), 3u);
  ASSERT_TRUE(log.Append({Ent(2, 2, "x")}));
  EXPECT_EQ(log.last(), 2u);
  EXPECT_EQ(log.Term(2), 2u);
  EXPECT_FALSE(log.Append({Ent(5, 2)})) << "a gap after the last entry is refused";
  log.Compact(2);
  EXPECT_EQ(log.first(), 3u);
  EXPECT_EQ(log.Term(2), 2u) << "the compaction point keeps its term";
  EXPECT_EQ(log.At(2), nullptr);
  ASSERT_TRUE(log.Append({Ent(1, 1), Ent(2, 2), Ent(3, 2)}));
  EXPECT_EQ(log.last(), 3u);
  log.Restore(10, 4);
  EXPECT_EQ(log.first(), 11u);
  EXPECT_EQ(log.last(), 10u);
  EXPECT_EQ(log.Term(10), 4u);
}

TEST(SimStateMachine, AppliesWritesAndRoundTripsThroughSnapshotData) {
  KvStateMachine sm;
  sm.Apply(Ent(1, 1));
  sm.Apply(Ent(2, 1, "x=1"));
  sm.Apply(Ent(3, 2, "y=two"));
  sm.Apply(Ent(4, 2, "x=3"));
  EXPECT_EQ(sm.applied(), 4u);
  EXPECT_EQ(sm.Get("x"), "3");
  EXPECT_EQ(sm.writes(), 3u);
  std::optional<KvStateMachine> copy = KvStateMachine::Decode(sm.Encode());
  ASSERT_TRUE(copy.has_value());
  EXPECT_EQ(copy->applied(), 4u);
  EXPECT_EQ(copy->applied_term(), 2u);
  EXPECT_EQ(copy->digest(), sm.digest());
  EXPECT_EQ(copy->kv(), sm.kv());
  EXPECT_FALSE(KvStateMachine::Decode("not a snapshot").has_value());
  EXPECT_FALSE(KvStateMachine::Decode(sm.Encode() + "junk").has_value());
}

TEST(SimStateMachine, DigestTellsDifferentHistoriesApart) {
  KvStateMachine a, b;
  a.Apply(Ent(1, 1, "x=1"));
  b.Apply(Ent(1, 2, "x=1"));  // same payload, another term: another entry
  EXPECT_NE(a.digest(), b.digest());
}

TEST(SimTrace, FingerprintAndRecentEvents) {
  Trace t(2, true);
  t.Add(1, "a");
  t.Add(2, "b");
  t.Add(3, "c");
  EXPECT_EQ(t.all().size(), 3u);
  EXPECT_EQ(t.Recent(10), "    t=2 b\n    t=3 c\n");
  Trace u(0, false);
  u.Add(1, "a");
  u.Add(2, "b");
  u.Add(3, "c");
  EXPECT_EQ(t.fingerprint(), u.fingerprint());
  Trace v(0, false);
  v.Add(1, "a");
  v.Add(2, "c");
  v.Add(3, "b");
  EXPECT_NE(t.fingerprint(), v.fingerprint());
}

// --- The checker against hand-built clusters (test doubles of a Raft group) ---

class SimChecker : public ::testing::Test {
 protected:
  // A log with the given terms from index 1, payloads "<index>@<term>".
  static LogView LogOf(const std::vector<uint64_t>& terms) {
    LogView log;
    std::vector<eraftpb::Entry> ents;
    for (size_t i = 0; i < terms.size(); ++i) {
      ents.push_back(Ent(i + 1, terms[i], std::to_string(i + 1) + "@" + std::to_string(terms[i])));
    }
    log.Append(ents);
    return log;
  }

  NodeView View(uint64_t id, Role role, uint64_t term, uint64_t committed,
                const LogView& log) const {
    NodeView v;
    v.id = id;
    v.role = role;
    v.term = term;
    v.committed = committed;
    v.applied = committed;
    v.sm_applied = committed;
    v.log = &log;
    return v;
  }

  void ExpectViolation(const std::string& property, const std::string& fragment) {
    ASSERT_FALSE(checker_.ok()) << "expected a " << property << " violation, found none";
    const Violation& v = *checker_.violation();
    EXPECT_EQ(v.property, property) << v.ToString();
    const std::string text = v.ToString();
    EXPECT_NE(text.find(property), std::string::npos) << text;
    EXPECT_NE(text.find(fragment), std::string::npos) << "missing \"" << fragment << "\" in\n"
                                                      << text;
    EXPECT_NE(text.find("seed 77"), std::string::npos) << text;
    EXPECT_NE(text.find("replay: bazel test //x:y"), std::string::npos) << text;
  }

  SafetyChecker checker_{"seed 77; replay: bazel test //x:y --test_env=TINYKV_SEED=77"};
};

TEST_F(SimChecker, HealthyClusterPasses) {
  LogView l1 = LogOf({1, 1, 2}), l2 = LogOf({1, 1, 2}), l3 = LogOf({1, 1});
  checker_.Check({View(1, Role::kLeader, 2, 3, l1), View(2, Role::kFollower, 2, 3, l2),
                  View(3, Role::kFollower, 2, 2, l3)});
  for (uint64_t node : {1, 2}) {
    KvStateMachine sm;
    for (const auto& [i, t] : std::vector<std::pair<uint64_t, uint64_t>>{{1, 1}, {2, 1}, {3, 2}}) {
      sm.Apply(Ent(i, t, std::to_string(i) + "@" + std::to_string(t)));
      checker_.OnApplied(node, i, t, sm.digest());
    }
  }
  EXPECT_TRUE(checker_.ok()) << checker_.violation()->ToString();
  EXPECT_EQ(checker_.max_committed(), 3u);
}

TEST_F(SimChecker, TwoLeadersInOneTerm) {
  LogView l1 = LogOf({1}), l2 = LogOf({1}), l3 = LogOf({1});
  checker_.Check({View(1, Role::kLeader, 2, 0, l1), View(2, Role::kLeader, 2, 0, l2),
                  View(3, Role::kFollower, 2, 0, l3)});
  ExpectViolation("Election Safety", "nodes 1, 2; term 2");
}

TEST_F(SimChecker, TwoLeadersOfOneTermAtDifferentTimes) {
  LogView l1 = LogOf({1}), l2 = LogOf({1});
  checker_.Check({View(1, Role::kLeader, 3, 0, l1), View(2, Role::kFollower, 3, 0, l2)});
  checker_.Check({View(1, Role::kFollower, 3, 0, l1), View(2, Role::kFollower, 3, 0, l2)});
  ASSERT_TRUE(checker_.ok());
  checker_.Check({View(1, Role::kFollower, 3, 0, l1), View(2, Role::kLeader, 3, 0, l2)});
  ExpectViolation("Election Safety", "were both leader of term 3");
}

TEST_F(SimChecker, LogsThatAgreeOnATermButNotOnThePrefix) {
  LogView l1 = LogOf({1, 1, 2});
  LogView l2;
  l2.Append({Ent(1, 1, "1@1"), Ent(2, 1, "something else"), Ent(3, 2, "3@2")});
  checker_.Check({View(1, Role::kFollower, 2, 0, l1), View(2, Role::kFollower, 2, 0, l2)});
  ExpectViolation("Log Matching", "index 2");
}

TEST_F(SimChecker, NewLeaderMissingACommittedEntry) {
  LogView l1 = LogOf({1, 1, 1}), l2 = LogOf({1, 1, 1}), l3 = LogOf({1, 1});
  checker_.Check({View(1, Role::kLeader, 1, 3, l1), View(2, Role::kFollower, 1, 3, l2),
                  View(3, Role::kFollower, 1, 2, l3)});
  ASSERT_TRUE(checker_.ok());
  checker_.Check({View(1, Role::kFollower, 2, 3, l1), View(2, Role::kFollower, 2, 3, l2),
                  View(3, Role::kLeader, 2, 2, l3)});
  ExpectViolation("Leader Completeness", "node 3 became leader of term 2");
}

TEST_F(SimChecker, NewLeaderWithADifferentCommittedEntry) {
  LogView l1 = LogOf({1, 1}), l2 = LogOf({1, 1});
  LogView l3 = LogOf({1, 2});
  checker_.Check({View(1, Role::kFollower, 2, 2, l1), View(2, Role::kFollower, 2, 2, l2)});
  checker_.Check({View(1, Role::kFollower, 3, 2, l1), View(2, Role::kFollower, 3, 2, l2),
                  View(3, Role::kLeader, 3, 0, l3)});
  ExpectViolation("Leader Completeness", "index 2");
}

TEST_F(SimChecker, CommittedEntriesThatDiffer) {
  LogView l1 = LogOf({1, 1});
  LogView l2 = LogOf({1, 2});
  checker_.Check({View(1, Role::kFollower, 2, 2, l1), View(2, Role::kFollower, 2, 2, l2)});
  ExpectViolation("State Machine Safety", "index 2 is committed on node 1");
}

TEST_F(SimChecker, DifferentStatesAppliedAtOneIndex) {
  checker_.OnApplied(1, 1, 1, 111);
  checker_.OnApplied(2, 1, 1, 111);
  checker_.OnApplied(1, 2, 1, 222);
  checker_.OnApplied(2, 2, 1, 999);
  ExpectViolation("State Machine Safety", "node 2 applied index 2");
}

TEST_F(SimChecker, AnEntryAppliedTwice) {
  checker_.OnApplied(1, 1, 1, 111);
  checker_.OnApplied(1, 2, 1, 222);
  checker_.OnApplied(1, 2, 1, 222);
  ExpectViolation("State Machine Safety", "applied twice");
}

TEST_F(SimChecker, ASnapshotWithTheWrongState) {
  checker_.OnApplied(1, 1, 1, 111);
  checker_.OnApplied(1, 2, 1, 222);
  checker_.OnSnapshotRestored(2, 2, 333);
  ExpectViolation("State Machine Safety", "restored a snapshot at index 2");
}

TEST_F(SimChecker, CommitIndexGoingBackAcrossARestart) {
  LogView l1 = LogOf({1, 1, 1});
  checker_.Check({View(1, Role::kFollower, 1, 3, l1)});
  NodeView down = View(1, Role::kFollower, 0, 0, l1);
  down.up = false;
  checker_.Check({down});
  ASSERT_TRUE(checker_.ok()) << "a crashed node is not checked";
  checker_.Check({View(1, Role::kFollower, 1, 1, l1)});
  ExpectViolation("Commit Monotonicity", "went back from 3 to 1");
}

TEST_F(SimChecker, CommitBeyondThePersistedLog) {
  LogView l1 = LogOf({1, 1});
  checker_.Check({View(1, Role::kFollower, 1, 4, l1)});
  ExpectViolation("Commit Monotonicity", "persisted log ends at 2");
}

TEST_F(SimChecker, AppliedBeyondCommitted) {
  LogView l1 = LogOf({1, 1, 1});
  NodeView v = View(1, Role::kFollower, 1, 1, l1);
  v.applied = 2;
  checker_.Check({v});
  ExpectViolation("Applied <= Committed", "applied up to 2");
}

TEST_F(SimChecker, TwoVotesInOneTerm) {
  LogView l1 = LogOf({});
  NodeView v = View(1, Role::kFollower, 4, 0, l1);
  v.vote = 2;
  checker_.Check({v});
  v.vote = 3;
  checker_.Check({v});
  ExpectViolation("Vote Once", "voted for 2 and then for 3 in term 4");
}

TEST_F(SimChecker, TermGoingBack) {
  LogView l1 = LogOf({});
  checker_.Check({View(1, Role::kFollower, 5, 0, l1)});
  checker_.Check({View(1, Role::kFollower, 4, 0, l1)});
  ExpectViolation("Term Monotonicity", "from 5 to 4");
}

TEST_F(SimChecker, KeepsTheFirstViolation) {
  LogView l1 = LogOf({});
  checker_.Check({View(1, Role::kFollower, 5, 0, l1)});
  checker_.Check({View(1, Role::kFollower, 4, 0, l1)});
  checker_.Report("Other", {1}, 0, 0, "later");
  EXPECT_EQ(checker_.violation()->property, "Term Monotonicity");
}

}  // namespace
}  // namespace raft::sim
