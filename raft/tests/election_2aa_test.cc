// Lab 2AA, leader election: the public suite. Each test names the rule of Raft it checks
// (sections of the extended Raft paper, "In Search of an Understandable Consensus
// Algorithm"); a failure says which node broke it, in which state and term, and what it sent.
//
// Tests drive one node directly (Step, tick, becomeX) or a few nodes through
// raft::test::Network. Randomness (election timeouts, message loss) comes from the run's seed;
// every loop is bounded, so an unfinished implementation fails fast instead of hanging.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "raft/raft.h"
#include "raft/testing/describe.h"
#include "raft/testing/network.h"
#include "raft/testing/test_raft.h"
#include "raft/util.h"
#include "testutil/seed.h"

namespace raft {
namespace {

using eraftpb::Message;
using eraftpb::MessageType;
using test::DescribeMessages;
using test::DescribeNode;
using test::MakeMessage;
using test::Network;
using test::NewTestNode;
using test::ReadMessages;

const std::vector<uint64_t> kThree = {1, 2, 3};

// What a failing test saw: the node now, and the messages it sent.
std::string Saw(const Raft& r, const std::vector<Message>& sent) {
  return "\n  now: " + DescribeNode(r) + "\n  it sent:\n" + DescribeMessages(sent);
}

std::vector<Message> SortedByReceiver(std::vector<Message> msgs) {
  std::stable_sort(msgs.begin(), msgs.end(),
                   [](const Message& a, const Message& b) { return a.to() < b.to(); });
  return msgs;
}

// Puts a fresh node (term 0) into `state` the way TinyKV's tests do: a follower of node 2 at
// term 1, a candidate at term 1, or a leader at term 1. Fails when the node did not get there,
// so that later assertions do not blame the wrong rule.
::testing::AssertionResult PutInState(Raft& r, StateType state) {
  const char* how = "";
  switch (state) {
    case StateType::kFollower:
      r.becomeFollower(1, 2);
      how = "becomeFollower(1, 2)";
      break;
    case StateType::kCandidate:
      r.becomeCandidate();
      how = "becomeCandidate()";
      break;
    case StateType::kLeader:
      r.becomeCandidate();
      r.becomeLeader();
      how = "becomeCandidate(), becomeLeader()";
      break;
  }
  if (r.state == state && r.term == 1) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "setting up: after " << how << " a fresh node must be a "
                                       << StateName(state) << " at term 1; got " << DescribeNode(r);
}

// ---------------------------------------------------------------------------------------
// Terms (§5.1)

void CheckUpdateTermFromMessage(StateType state) {
  auto n = NewTestNode(1, kThree);
  Raft& r = *n;
  ASSERT_TRUE(PutInState(r, state));
  ReadMessages(r);
  Message m = MakeMessage(2, 1, eraftpb::MsgAppend, 2);
  r.Step(m);
  EXPECT_EQ(r.term, 2u) << "§5.1: a node that sees a message with a higher term adopts that term. "
                        << "Node 1 was a " << StateName(state) << " at term 1 and received "
                        << DescribeMessage(m) << Saw(r, ReadMessages(r));
  EXPECT_EQ(r.state, StateType::kFollower)
      << "§5.1: a candidate or leader that learns its term is out of date reverts to follower "
      << "at once. Node 1 was a " << StateName(state) << " at term 1 and received "
      << DescribeMessage(m) << Saw(r, r.msgs);
}

TEST(Raft2AA, FollowerUpdateTermFromMessage) { CheckUpdateTermFromMessage(StateType::kFollower); }
TEST(Raft2AA, CandidateUpdateTermFromMessage) { CheckUpdateTermFromMessage(StateType::kCandidate); }
TEST(Raft2AA, LeaderUpdateTermFromMessage) { CheckUpdateTermFromMessage(StateType::kLeader); }

// A leader learns of a newer term from the answers to its own requests, too.
TEST(Raft2AA, LeaderStepsDownOnResponseWithHigherTerm) {
  for (MessageType t : {eraftpb::MsgHeartbeatResponse, eraftpb::MsgAppendResponse,
                        eraftpb::MsgRequestVoteResponse}) {
    SCOPED_TRACE(MessageTypeName(t));
    auto n = NewTestNode(1, kThree);
    Raft& r = *n;
    ASSERT_TRUE(PutInState(r, StateType::kLeader));
    ReadMessages(r);
    Message m = MakeMessage(2, 1, t, 3);
    m.set_reject(true);
    r.Step(m);
    EXPECT_EQ(r.state, StateType::kFollower)
        << "§5.1: a leader that receives any message with a higher term (here a response) "
           "must step down. Leader 1 at term 1 received "
        << DescribeMessage(m) << Saw(r, r.msgs);
    EXPECT_EQ(r.term, 3u) << "§5.1: the leader must adopt the higher term it saw in "
                          << DescribeMessage(m) << Saw(r, r.msgs);
  }
}

// A node at a newer term refuses stale requests and tells the sender its term, so that a
// deposed leader or a stale candidate learns it is out of date (§5.1, Figure 2 "Results").
TEST(Raft2AA, StaleRequestsAreRefusedWithNewerTerm) {
  for (MessageType t : {eraftpb::MsgRequestVote, eraftpb::MsgAppend, eraftpb::MsgHeartbeat}) {
    SCOPED_TRACE(MessageTypeName(t));
    eraftpb::HardState hs;
    hs.set_term(5);
    auto n = NewTestNode(1, kThree, 10, 1, test::EntriesWithTerms({1, 5}), hs);
    Raft& r = *n;
    r.becomeFollower(5, 3);
    ReadMessages(r);
    const std::string before = test::DescribeLog(r.raft_log);

    Message m = MakeMessage(2, 1, t, 3);
    m.set_log_term(5);
    m.set_index(2);
    if (t == eraftpb::MsgAppend) *m.add_entries() = test::MakeEntry(3, 3, "stale");
    r.Step(m);
    std::vector<Message> sent = ReadMessages(r);

    EXPECT_EQ(r.term, 5u) << "a message from an older term must not change the term"
                          << Saw(r, sent);
    EXPECT_EQ(r.state, StateType::kFollower) << Saw(r, sent);
    EXPECT_EQ(r.lead, 3u) << "§5.1: a request from an older term comes from a deposed leader or "
                             "a stale candidate; it must not change who the node follows"
                          << Saw(r, sent);
    EXPECT_EQ(r.vote, None) << "a node must never vote for a candidate of an older term"
                            << Saw(r, sent);
    EXPECT_EQ(test::DescribeLog(r.raft_log), before)
        << "§5.1: a request with a stale term is rejected: the log must not change" << Saw(r, sent);
    bool answered = false;
    for (const Message& out : sent) {
      if (out.to() != 2) continue;
      answered = true;
      EXPECT_EQ(out.term(), 5u) << "§5.1: the answer to a stale request carries the node's "
                                   "newer term, so that the sender learns it is out of date: "
                                << DescribeMessage(out);
      if (out.msg_type() == eraftpb::MsgRequestVoteResponse ||
          out.msg_type() == eraftpb::MsgAppendResponse) {
        EXPECT_TRUE(out.reject()) << "a stale " << MessageTypeName(t)
                                  << " must be refused: " << DescribeMessage(out);
      }
    }
    EXPECT_TRUE(answered) << "§5.1 (\"if a server receives a request with a stale term number, "
                             "it rejects the request\"): node 1 at term 5 must answer "
                          << DescribeMessage(m) << " with its own term" << Saw(r, sent);
  }
}

// ---------------------------------------------------------------------------------------
// Starting up (§5.2)

TEST(Raft2AA, StartAsFollower) {
  auto n = NewTestNode(1, kThree);
  EXPECT_EQ(n->state, StateType::kFollower)
      << "§5.2: when servers start up, they begin as followers. " << DescribeNode(*n);
  EXPECT_EQ(n->term, 0u) << "a node on empty storage starts at term 0. " << DescribeNode(*n);
  EXPECT_EQ(n->lead, None) << "a new node knows no leader. " << DescribeNode(*n);
  // A follower is not idle: its election timer runs from the start, so a node that never
  // hears from a leader campaigns within its randomized timeout [10, 20) ticks.
  for (int i = 0; i < 20 && n->state == StateType::kFollower; ++i) n->tick();
  EXPECT_EQ(n->state, StateType::kCandidate)
      << "a follower that hears nothing for 2 x election_timeout ticks must have become a "
         "candidate: its election timer runs from the moment it starts. "
      << DescribeNode(*n);
}

// Term and vote are the state Raft persists (Figure 2): a restarted node picks them up.
TEST(Raft2AA, StartFromPersistedTermAndVote) {
  eraftpb::HardState hs;
  hs.set_term(5);
  hs.set_vote(2);
  auto n = NewTestNode(1, kThree, 10, 1, {}, hs);
  EXPECT_EQ(n->term, 5u) << "a node must start at the term its storage's HardState records "
                         << DescribeHardState(hs) << ". " << DescribeNode(*n);
  EXPECT_EQ(n->vote, 2u) << "a node must start with the vote its storage's HardState records "
                         << DescribeHardState(hs) << ". " << DescribeNode(*n);
  EXPECT_EQ(n->state, StateType::kFollower) << DescribeNode(*n);
}

// ---------------------------------------------------------------------------------------
// Heartbeats and election timeouts (§5.2)

TEST(Raft2AA, LeaderBcastBeat) {
  const int heartbeat = 3;
  auto n = NewTestNode(1, kThree, 10, heartbeat);
  Raft& r = *n;
  r.becomeCandidate();
  r.becomeLeader();
  r.Step(test::Propose(1));
  ReadMessages(r);

  for (int i = 1; i < heartbeat; ++i) r.tick();
  std::vector<Message> early = ReadMessages(r);
  for (const Message& m : early) {
    EXPECT_NE(m.msg_type(), eraftpb::MsgHeartbeat)
        << "a leader sends heartbeats every heartbeat_tick (" << heartbeat
        << ") ticks; this one came after " << heartbeat - 1 << ": " << DescribeMessage(m);
  }
  r.tick();
  std::vector<Message> msgs = SortedByReceiver(ReadMessages(r));
  ASSERT_EQ(msgs.size(), 2u) << "§5.2: after heartbeat_tick (" << heartbeat
                             << ") ticks a leader of {1,2,3} sends one MsgHeartbeat to each "
                                "follower (and nothing else)"
                             << Saw(r, msgs);
  for (size_t i = 0; i < msgs.size(); ++i) {
    const Message& m = msgs[i];
    EXPECT_EQ(m.msg_type(), eraftpb::MsgHeartbeat) << Saw(r, msgs);
    EXPECT_EQ(m.from(), 1u) << DescribeMessage(m);
    EXPECT_EQ(m.to(), i + 2) << "one heartbeat to each of 2 and 3" << Saw(r, msgs);
    EXPECT_EQ(m.term(), 1u) << "messages carry the sender's term: " << DescribeMessage(m);
    EXPECT_EQ(m.entries_size(), 0) << "heartbeats carry no entries: " << DescribeMessage(m);
  }
}

TEST(Raft2AA, RecvMsgBeat) {
  for (StateType state : {StateType::kLeader, StateType::kCandidate, StateType::kFollower}) {
    SCOPED_TRACE(StateName(state));
    auto n = NewTestNode(1, kThree);
    Raft& r = *n;
    ASSERT_TRUE(PutInState(r, state));
    ReadMessages(r);
    r.Step(test::Beat(1));
    std::vector<Message> msgs = ReadMessages(r);
    const size_t want = state == StateType::kLeader ? 2 : 0;
    EXPECT_EQ(msgs.size(), want)
        << "MsgBeat tells a leader to send every follower a heartbeat; followers and "
           "candidates have no one to send heartbeats to and must ignore it"
        << Saw(r, msgs);
    for (const Message& m : msgs) {
      EXPECT_EQ(m.msg_type(), eraftpb::MsgHeartbeat) << Saw(r, msgs);
    }
  }
}

TEST(Raft2AA, LeaderNeverTimesOutWhileLeading) {
  const int et = 10;
  auto n = NewTestNode(1, kThree, et, 1);
  Raft& r = *n;
  ASSERT_TRUE(PutInState(r, StateType::kLeader));
  ReadMessages(r);
  for (int i = 0; i < 5 * et; ++i) {
    r.tick();
    std::vector<Message> msgs = ReadMessages(r);
    for (const Message& m : msgs) {
      ASSERT_NE(m.msg_type(), eraftpb::MsgRequestVote)
          << "a leader's ticks count towards heartbeats, never towards an election (tick " << i + 1
          << ")" << Saw(r, msgs);
    }
    ASSERT_EQ(r.state, StateType::kLeader)
        << "a leader stays leader until it sees a higher term (tick " << i + 1 << ")"
        << Saw(r, msgs);
    ASSERT_EQ(r.term, 1u) << "a leader's term must not move by itself" << Saw(r, msgs);
  }
}

void CheckNonleaderStartElection(StateType state) {
  const int et = 10;
  auto n = NewTestNode(1, kThree, et, 1);
  Raft& r = *n;
  ASSERT_TRUE(PutInState(r, state));
  ReadMessages(r);
  // 2*et - 1 ticks: past any randomized timeout in [et, 2*et), not enough for two of them.
  for (int i = 1; i < 2 * et; ++i) r.tick();
  std::vector<Message> msgs = SortedByReceiver(ReadMessages(r));

  EXPECT_EQ(r.term, 2u) << "§5.2: a " << StateName(state)
                        << " that hears nothing for an election timeout starts an election, "
                           "incrementing its term (1 -> 2)"
                        << Saw(r, msgs);
  EXPECT_EQ(r.state, StateType::kCandidate)
      << "§5.2: after an election timeout a " << StateName(state) << " becomes a candidate"
      << Saw(r, msgs);
  EXPECT_TRUE(r.votes.count(1) && r.votes.at(1))
      << "§5.2: a candidate votes for itself (votes[1] must be true)" << Saw(r, msgs);
  EXPECT_EQ(r.vote, 1u) << "a candidate records its vote for itself in `vote`" << Saw(r, msgs);
  ASSERT_EQ(msgs.size(), 2u) << "§5.2: the candidate sends MsgRequestVote to each other server"
                             << Saw(r, msgs);
  for (size_t i = 0; i < msgs.size(); ++i) {
    EXPECT_EQ(msgs[i].msg_type(), eraftpb::MsgRequestVote) << Saw(r, msgs);
    EXPECT_EQ(msgs[i].to(), i + 2) << Saw(r, msgs);
    EXPECT_EQ(msgs[i].term(), 2u) << "vote requests carry the new term" << Saw(r, msgs);
    EXPECT_EQ(msgs[i].from(), 1u) << Saw(r, msgs);
  }
}

TEST(Raft2AA, FollowerStartElection) { CheckNonleaderStartElection(StateType::kFollower); }
TEST(Raft2AA, CandidateStartNewElection) { CheckNonleaderStartElection(StateType::kCandidate); }

// A follower that keeps hearing from its leader never starts an election.
TEST(Raft2AA, HeartbeatsKeepFollowerFromCampaigning) {
  const int et = 10;
  auto n = NewTestNode(1, kThree, et, 1);
  Raft& r = *n;
  r.becomeFollower(1, 2);
  for (int i = 1; i <= 20 * et; ++i) {
    r.tick();
    if (i % (et - 1) == 0) r.Step(MakeMessage(2, 1, eraftpb::MsgHeartbeat, 1));
    std::vector<Message> msgs = ReadMessages(r);
    for (const Message& m : msgs) {
      ASSERT_NE(m.msg_type(), eraftpb::MsgRequestVote)
          << "§5.2: a follower remains a follower as long as it receives valid heartbeats from "
             "a leader; node 1 hears from leader 2 every "
          << et - 1 << " ticks (election timeout " << et << ") yet campaigned at tick " << i
          << Saw(r, msgs);
    }
    ASSERT_EQ(r.state, StateType::kFollower) << "tick " << i << Saw(r, msgs);
  }
  // And once the heartbeats stop, it does campaign.
  for (int i = 0; i < 2 * et && r.state == StateType::kFollower; ++i) r.tick();
  EXPECT_EQ(r.state, StateType::kCandidate)
      << "§5.2: a follower that hears nothing for an election timeout (" << et
      << " ticks, randomized below " << 2 * et << ") becomes a candidate" << Saw(r, r.msgs);
}

// Figure 2, Followers: the election timer restarts when the follower grants a vote.
TEST(Raft2AA, GrantingVoteRestartsElectionTimer) {
  const int et = 10;
  auto n = NewTestNode(1, kThree, et, 1);
  Raft& r = *n;
  r.becomeFollower(2, None);
  for (int i = 0; i < et - 1; ++i) r.tick();
  Message req = MakeMessage(2, 1, eraftpb::MsgRequestVote, 2);
  r.Step(req);
  std::vector<Message> reply = ReadMessages(r);
  ASSERT_EQ(reply.size(), 1u) << Saw(r, reply);
  ASSERT_FALSE(reply[0].reject()) << "node 1 (no vote yet at term 2, empty log) must grant "
                                  << DescribeMessage(req) << Saw(r, reply);
  // et - 1 more ticks: 2*et - 2 since the last reset without the vote, which most randomized
  // timeouts have passed; et - 1 since the vote, which none has.
  for (int i = 0; i < et - 1; ++i) {
    r.tick();
    std::vector<Message> msgs = ReadMessages(r);
    ASSERT_TRUE(msgs.empty() && r.state == StateType::kFollower)
        << "Figure 2: a follower converts to candidate only if an election timeout elapses "
           "without hearing from the leader OR GRANTING A VOTE. Node 1 granted a vote and "
           "campaigned "
        << i + 1 << " ticks later (election timeout " << et << ")" << Saw(r, msgs);
  }
}

void CheckElectionTimeoutRandomized(StateType state) {
  const int et = 10;
  auto n = NewTestNode(1, kThree, et, 1);
  Raft& r = *n;
  std::map<int, int> seen;  // ticks until the election -> how often
  for (int round = 0; round < 50 * et; ++round) {
    if (state == StateType::kFollower) {
      r.becomeFollower(r.term + 1, 2);
    } else {
      r.becomeCandidate();
    }
    ReadMessages(r);
    int ticks = 0;
    while (ticks < 4 * et) {
      r.tick();
      ++ticks;
      if (!ReadMessages(r).empty()) break;
    }
    ASSERT_LT(ticks, 4 * et) << "a " << StateName(state) << " did not start an election within "
                             << 4 * et << " ticks (election timeout " << et << ")"
                             << Saw(r, r.msgs);
    ++seen[ticks];
  }
  std::string histogram;
  for (const auto& [t, count] : seen) {
    histogram += " " + std::to_string(t) + ":" + std::to_string(count);
  }
  EXPECT_GE(seen.begin()->first, et)
      << "the randomized election timeout must be at least election_tick (" << et
      << "); ticks-until-election histogram:" << histogram;
  EXPECT_LE(seen.rbegin()->first, 2 * et)
      << "the randomized election timeout must stay below 2 * election_tick (" << 2 * et
      << "); ticks-until-election histogram:" << histogram;
  for (int d = et + 1; d < 2 * et; ++d) {
    EXPECT_TRUE(seen.count(d))
        << "§5.2: election timeouts are chosen randomly from [et, 2et) each time the timer "
           "restarts, so that split votes are rare. In "
        << 50 * et << " elections of a " << StateName(state) << " no timeout of " << d
        << " ticks occurred; ticks-until-election histogram:" << histogram;
  }
}

TEST(Raft2AA, FollowerElectionTimeoutRandomized) {
  CheckElectionTimeoutRandomized(StateType::kFollower);
}
TEST(Raft2AA, CandidateElectionTimeoutRandomized) {
  CheckElectionTimeoutRandomized(StateType::kCandidate);
}

void CheckElectionTimeoutNonconflict(StateType state) {
  const int et = 10;
  const auto ids = test::IdsBySize(5);
  std::vector<test::TestNode> nodes;
  for (uint64_t id : ids) nodes.push_back(NewTestNode(id, ids, et, 1));
  const int rounds = 1000;
  int conflicts = 0;
  for (int round = 0; round < rounds; ++round) {
    for (auto& n : nodes) {
      if (state == StateType::kFollower) {
        n->becomeFollower(n->term + 1, None);
      } else {
        n->becomeCandidate();
      }
      ReadMessages(*n);
    }
    int timed_out = 0;
    for (int tick = 0; tick < 4 * et && timed_out == 0; ++tick) {
      for (auto& n : nodes) {
        n->tick();
        if (!ReadMessages(*n).empty()) ++timed_out;
      }
    }
    ASSERT_GT(timed_out, 0) << "no " << StateName(state) << " of 5 started an election within "
                            << 4 * et << " ticks; e.g. " << DescribeNode(*nodes[0]);
    if (timed_out > 1) ++conflicts;
  }
  EXPECT_LE(conflicts, rounds * 3 / 10)
      << "§5.2: randomized election timeouts make it likely that a single server times out "
         "first; in "
      << rounds << " rounds, several of 5 " << StateName(state) << "s timed out on the same tick "
      << conflicts
      << " times (want at most 30%). Does every node draw its own timeout from its own "
         "random generator (Config::random_seed), anew each time the timer restarts?";
}

TEST(Raft2AA, FollowersElectionTimeoutNonconflict) {
  CheckElectionTimeoutNonconflict(StateType::kFollower);
}
TEST(Raft2AA, CandidatesElectionTimeoutNonconflict) {
  CheckElectionTimeoutNonconflict(StateType::kCandidate);
}

// ---------------------------------------------------------------------------------------
// Winning and losing (§5.2)

TEST(Raft2AA, LeaderElectionInOneRoundRPC) {
  struct Case {
    size_t size;
    std::map<uint64_t, bool> votes;
    StateType want;
  };
  const std::vector<Case> cases = {
      // A majority of granted votes (the candidate's own included) wins.
      {1, {}, StateType::kLeader},
      {3, {{2, true}, {3, true}}, StateType::kLeader},
      {3, {{2, true}}, StateType::kLeader},
      {5, {{2, true}, {3, true}, {4, true}, {5, true}}, StateType::kLeader},
      {5, {{2, true}, {3, true}, {4, true}}, StateType::kLeader},
      {5, {{2, true}, {3, true}}, StateType::kLeader},
      // Without a majority the candidate waits.
      {3, {}, StateType::kCandidate},
      {5, {{2, true}}, StateType::kCandidate},
      {5, {{2, false}, {3, false}}, StateType::kCandidate},
      {5, {}, StateType::kCandidate},
  };
  for (const Case& c : cases) {
    auto n = NewTestNode(1, test::IdsBySize(c.size));
    Raft& r = *n;
    r.Step(test::Hup(1));
    std::string answers;
    for (const auto& [from, granted] : c.votes) {
      Message m = MakeMessage(from, 1, eraftpb::MsgRequestVoteResponse, r.term);
      m.set_reject(!granted);
      answers += "\n    " + DescribeMessage(m);
      r.Step(m);
    }
    if (answers.empty()) answers = " (none)";
    EXPECT_EQ(r.state, c.want) << "§5.2: a candidate wins when it has votes from a majority of "
                                  "the group (its own vote counts) and not before. Group of "
                               << c.size << ", answers received:" << answers << "\n  now "
                               << DescribeNode(r);
    EXPECT_EQ(r.term, 1u) << "one election, one term increment. " << DescribeNode(r);
  }
}

TEST(Raft2AA, CandidateFallback) {
  for (uint64_t term : {1, 2}) {
    auto n = NewTestNode(1, kThree);
    Raft& r = *n;
    r.Step(test::Hup(1));
    ASSERT_EQ(r.state, StateType::kCandidate)
        << "MsgHup makes a follower a candidate" << Saw(r, r.msgs);
    Message m = MakeMessage(2, 1, eraftpb::MsgAppend, term);
    r.Step(m);
    EXPECT_EQ(r.state, StateType::kFollower)
        << "§5.2: a candidate that receives AppendEntries from a leader whose term is at least "
           "its own recognizes that leader and returns to follower. Candidate 1 (term 1) got "
        << DescribeMessage(m) << Saw(r, r.msgs);
    EXPECT_EQ(r.term, term) << DescribeNode(r);
    EXPECT_EQ(r.lead, 2u) << "after " << DescribeMessage(m) << " node 1 follows leader 2. "
                          << DescribeNode(r);
  }
}

void CheckCandidateResetTerm(MessageType type) {
  Network nt(3, testutil::TestSeed());
  Raft& a = nt.node(1);
  Raft& c = nt.node(3);
  nt.Send(test::Hup(1));
  ASSERT_EQ(a.state, StateType::kLeader) << DescribeNode(a) << "\n" << nt.RecentTrace();
  ASSERT_EQ(c.state, StateType::kFollower) << DescribeNode(c);

  // Node 3 misses two elections, then times out itself.
  nt.Isolate(3);
  nt.Send(test::Hup(2));
  nt.Send(test::Hup(1));
  ASSERT_EQ(a.state, StateType::kLeader) << DescribeNode(a) << "\n" << nt.RecentTrace();
  for (int i = 0; i < 40 && c.state != StateType::kCandidate; ++i) c.tick();
  ASSERT_EQ(c.state, StateType::kCandidate)
      << "an isolated follower must time out and campaign within 40 ticks (election 10). "
      << DescribeNode(c);
  nt.Recover();

  Message m = MakeMessage(1, 3, type, a.term);
  nt.Send(m);
  EXPECT_EQ(c.state, StateType::kFollower)
      << "§5.2: a candidate that hears from a leader of its own term or newer ("
      << DescribeMessage(m) << ") returns to follower. " << DescribeNode(c) << "\n"
      << nt.RecentTrace();
  EXPECT_EQ(c.term, a.term) << "the candidate adopts the leader's term. " << DescribeNode(c);
}

TEST(Raft2AA, CandidateResetTermMsgHeartbeat) { CheckCandidateResetTerm(eraftpb::MsgHeartbeat); }
TEST(Raft2AA, CandidateResetTermMsgAppend) { CheckCandidateResetTerm(eraftpb::MsgAppend); }

// ---------------------------------------------------------------------------------------
// Voting (§5.2, §5.4.1)

TEST(Raft2AA, FollowerVote) {
  struct Case {
    uint64_t vote, candidate;
    bool reject;
  };
  const std::vector<Case> cases = {
      {None, 1, false}, {None, 2, false}, {1, 1, false}, {2, 2, false}, {1, 2, true}, {2, 1, true},
  };
  for (const Case& c : cases) {
    auto n = NewTestNode(1, kThree);
    Raft& r = *n;
    r.term = 1;
    r.vote = c.vote;
    Message req = MakeMessage(c.candidate, 1, eraftpb::MsgRequestVote, 1);
    r.Step(req);
    std::vector<Message> msgs = ReadMessages(r);
    ASSERT_EQ(msgs.size(), 1u) << "a vote request gets exactly one answer. Node 1 (term 1, vote "
                               << c.vote << ") got " << DescribeMessage(req) << Saw(r, msgs);
    const Message& m = msgs[0];
    EXPECT_EQ(m.msg_type(), eraftpb::MsgRequestVoteResponse) << Saw(r, msgs);
    EXPECT_EQ(m.to(), c.candidate) << Saw(r, msgs);
    EXPECT_EQ(m.term(), 1u) << Saw(r, msgs);
    EXPECT_EQ(m.reject(), c.reject)
        << "§5.2: each server votes for at most one candidate in a term, first come first "
           "served (and may repeat its vote to the same candidate). Node 1 had voted for "
        << c.vote << " in term 1 and got " << DescribeMessage(req) << Saw(r, msgs);
  }
}

TEST(Raft2AA, VoteFromAnyState) {
  for (StateType state : {StateType::kFollower, StateType::kCandidate, StateType::kLeader}) {
    SCOPED_TRACE(StateName(state));
    auto n = NewTestNode(1, kThree);
    Raft& r = *n;
    ASSERT_TRUE(PutInState(r, state));
    ReadMessages(r);
    const uint64_t new_term = r.term + 1;
    Message req = MakeMessage(2, 1, eraftpb::MsgRequestVote, new_term);
    req.set_log_term(new_term);
    req.set_index(42);
    r.Step(req);
    std::vector<Message> msgs = ReadMessages(r);
    ASSERT_EQ(msgs.size(), 1u) << "node 1, a " << StateName(state) << ", must answer "
                               << DescribeMessage(req) << " with one MsgRequestVoteResponse"
                               << Saw(r, msgs);
    EXPECT_EQ(msgs[0].msg_type(), eraftpb::MsgRequestVoteResponse) << Saw(r, msgs);
    EXPECT_FALSE(msgs[0].reject())
        << "a vote request from a newer term with an up-to-date log must be granted whatever "
           "state the receiver was in (it becomes a follower of the new term first)"
        << Saw(r, msgs);
    EXPECT_EQ(r.state, StateType::kFollower) << Saw(r, msgs);
    EXPECT_EQ(r.term, new_term) << Saw(r, msgs);
    EXPECT_EQ(r.vote, 2u) << "the vote granted must be recorded (it is persisted)" << Saw(r, msgs);
  }
}

// A candidate has voted for itself: it must refuse a rival of the same term.
TEST(Raft2AA, CandidateRefusesRivalOfSameTerm) {
  auto n = NewTestNode(1, kThree);
  Raft& r = *n;
  r.Step(test::Hup(1));
  ReadMessages(r);
  Message req = MakeMessage(2, 1, eraftpb::MsgRequestVote, r.term);
  r.Step(req);
  std::vector<Message> msgs = ReadMessages(r);
  ASSERT_EQ(msgs.size(), 1u) << Saw(r, msgs);
  EXPECT_TRUE(msgs[0].reject()) << "§5.2: a candidate votes for itself; it cannot vote again in "
                                   "the same term. Candidate 1 got "
                                << DescribeMessage(req) << Saw(r, msgs);
  EXPECT_EQ(r.state, StateType::kCandidate) << Saw(r, msgs);
  EXPECT_EQ(r.vote, 1u) << Saw(r, msgs);
}

// A vote request from a newer term moves the term on even when its log is behind; refusing
// it must not use up the node's vote in the new term.
TEST(Raft2AA, HigherTermWithStaleLogUpdatesTermButIsRefused) {
  eraftpb::HardState hs;
  hs.set_term(2);
  auto n = NewTestNode(1, kThree, 10, 1, test::EntriesWithTerms({1, 2}), hs);
  Raft& r = *n;
  Message stale = MakeMessage(2, 1, eraftpb::MsgRequestVote, 5);
  stale.set_log_term(1);
  stale.set_index(9);
  r.Step(stale);
  std::vector<Message> msgs = ReadMessages(r);
  ASSERT_EQ(msgs.size(), 1u) << Saw(r, msgs);
  EXPECT_TRUE(msgs[0].reject()) << "§5.4.1: node 1's last entry has term 2, the candidate's term "
                                   "1: its log is behind and the vote must be refused. Request: "
                                << DescribeMessage(stale) << Saw(r, msgs);
  EXPECT_EQ(r.term, 5u) << "§5.1: the higher term is adopted even when the vote is refused"
                        << Saw(r, msgs);
  EXPECT_EQ(r.vote, None) << "a refused vote is not a vote" << Saw(r, msgs);

  Message good = MakeMessage(3, 1, eraftpb::MsgRequestVote, 5);
  good.set_log_term(2);
  good.set_index(2);
  r.Step(good);
  msgs = ReadMessages(r);
  ASSERT_EQ(msgs.size(), 1u) << Saw(r, msgs);
  EXPECT_FALSE(msgs[0].reject()) << "node 1 has not voted in term 5 yet and candidate 3's log is "
                                    "as up to date as its own: it must grant "
                                 << DescribeMessage(good) << Saw(r, msgs);
  EXPECT_EQ(r.vote, 3u) << Saw(r, msgs);
}

// One vote per term holds across a restart: the vote is persisted (HardState) and read back.
TEST(Raft2AA, VoteSurvivesRestart) {
  MemoryStorage storage;
  eraftpb::HardState hs;
  {
    auto r = test::NewTestRaft(1, kThree, 10, 1, &storage);
    Message req = MakeMessage(2, 1, eraftpb::MsgRequestVote, 5);
    r->Step(req);
    std::vector<Message> msgs = ReadMessages(*r);
    ASSERT_EQ(msgs.size(), 1u) << Saw(*r, msgs);
    ASSERT_FALSE(msgs[0].reject())
        << "a fresh node must grant " << DescribeMessage(req) << Saw(*r, msgs);
    // What the application persists from Ready().hard_state.
    hs.set_term(r->term);
    hs.set_vote(r->vote);
    hs.set_commit(r->raft_log.committed);
    storage.SetHardState(hs);
  }
  auto r = test::NewTestRaft(1, kThree, 10, 1, &storage);
  Message rival = MakeMessage(3, 1, eraftpb::MsgRequestVote, 5);
  r->Step(rival);
  std::vector<Message> msgs = ReadMessages(*r);
  ASSERT_EQ(msgs.size(), 1u) << Saw(*r, msgs);
  EXPECT_TRUE(msgs[0].reject())
      << "§5.2: at most one vote per term, even across a crash. Node 1 voted for 2 in term 5, "
         "persisted "
      << DescribeHardState(hs) << ", restarted, and then granted " << DescribeMessage(rival)
      << Saw(*r, msgs);

  Message again = MakeMessage(2, 1, eraftpb::MsgRequestVote, 5);
  r->Step(again);
  msgs = ReadMessages(*r);
  ASSERT_EQ(msgs.size(), 1u) << Saw(*r, msgs);
  EXPECT_FALSE(msgs[0].reject()) << "a retransmitted request from the candidate node 1 already "
                                    "voted for must be granted again: "
                                 << DescribeMessage(again) << Saw(*r, msgs);
}

// ---------------------------------------------------------------------------------------
// Elections over a network

TEST(Raft2AA, LeaderElection) {
  using P = Network::Peer;
  struct Case {
    std::string picture;
    std::vector<P (*)()> peers;
    StateType want;
  };
  const std::vector<Case> cases = {
      {"3 nodes, all up", {P::New, P::New, P::New}, StateType::kLeader},
      {"3 nodes, node 3 down", {P::New, P::New, P::BlackHole}, StateType::kLeader},
      {"3 nodes, 2 and 3 down", {P::New, P::BlackHole, P::BlackHole}, StateType::kCandidate},
      {"4 nodes, 2 and 3 down",
       {P::New, P::BlackHole, P::BlackHole, P::New},
       StateType::kCandidate},
      {"5 nodes, 2 and 3 down",
       {P::New, P::BlackHole, P::BlackHole, P::New, P::New},
       StateType::kLeader},
  };
  for (const Case& c : cases) {
    std::vector<P> peers;
    for (auto make : c.peers) peers.push_back(make());
    Network nt(std::move(peers), testutil::TestSeed());
    nt.Send(test::Hup(1));
    EXPECT_EQ(nt.node(1).state, c.want)
        << "§5.2: " << c.picture << ": node 1 campaigns and must "
        << (c.want == StateType::kLeader ? "win with a majority of votes"
                                         : "stay a candidate without a majority")
        << ". " << DescribeNode(nt.node(1)) << "\n  messages:\n"
        << nt.RecentTrace();
    EXPECT_EQ(nt.node(1).term, 1u) << c.picture << ": " << DescribeNode(nt.node(1));
  }
}

TEST(Raft2AA, LeaderCycle) {
  Network nt(3, testutil::TestSeed());
  for (uint64_t campaigner = 1; campaigner <= 3; ++campaigner) {
    nt.Send(test::Hup(campaigner));
    for (uint64_t id : nt.ids()) {
      const Raft& r = nt.node(id);
      StateType want = id == campaigner ? StateType::kLeader : StateType::kFollower;
      EXPECT_EQ(r.state, want) << "every node can win an election in turn, not only from a "
                                  "fresh start; after node "
                               << campaigner << " campaigned: " << DescribeNode(r)
                               << "\n  messages:\n"
                               << nt.RecentTrace(20);
    }
  }
}

TEST(Raft2AA, SingleNodeCandidate) {
  Network nt(1, testutil::TestSeed());
  nt.Send(test::Hup(1));
  EXPECT_EQ(nt.node(1).state, StateType::kLeader)
      << "a group of one is its own majority: its only node wins at once. "
      << DescribeNode(nt.node(1));
}

TEST(Raft2AA, CampaignWhileLeader) {
  auto n = NewTestNode(1, {1}, 5, 1);
  Raft& r = *n;
  ASSERT_EQ(r.state, StateType::kFollower) << DescribeNode(r);
  r.Step(test::Hup(1));
  ASSERT_EQ(r.state, StateType::kLeader)
      << "a single-node group elects its node at once. " << DescribeNode(r);
  const uint64_t term = r.term;
  r.Step(test::Hup(1));
  EXPECT_EQ(r.state, StateType::kLeader)
      << "MsgHup to a leader must be ignored (it is already leader). " << DescribeNode(r);
  EXPECT_EQ(r.term, term) << "MsgHup to a leader must not start a new term. " << DescribeNode(r);
}

TEST(Raft2AA, SplitVote) {
  Network nt(3, testutil::TestSeed());
  for (uint64_t id : nt.ids()) nt.node(id).becomeFollower(1, None);
  nt.Send(test::Hup(1));
  ASSERT_EQ(nt.node(1).state, StateType::kLeader) << DescribeNode(nt.node(1));

  // The leader goes away; both followers campaign at once and split the vote.
  nt.Isolate(1);
  nt.Send({test::Hup(2), test::Hup(3)});
  for (uint64_t id : {2, 3}) {
    const Raft& r = nt.node(id);
    EXPECT_EQ(r.term, 3u) << DescribeNode(r) << "\n" << nt.RecentTrace();
    EXPECT_EQ(r.state, StateType::kCandidate)
        << "§5.2: nodes 2 and 3 campaigned in the same term, each voted for itself and refused "
           "the other: neither has a majority, both stay candidates. "
        << DescribeNode(r) << "\n  messages:\n"
        << nt.RecentTrace();
  }

  // Node 2 times out first and wins the next term.
  nt.Send(test::Hup(2));
  EXPECT_EQ(nt.node(2).term, 4u) << DescribeNode(nt.node(2));
  EXPECT_EQ(nt.node(3).term, 4u) << DescribeNode(nt.node(3));
  EXPECT_EQ(nt.node(2).state, StateType::kLeader)
      << "the candidate that times out first starts a new term and wins it. "
      << DescribeNode(nt.node(2)) << "\n  messages:\n"
      << nt.RecentTrace();
  EXPECT_EQ(nt.node(3).state, StateType::kFollower) << DescribeNode(nt.node(3));
}

// A follower whose leader's messages are late times out, campaigns at a newer term, and its
// answer to the late heartbeat makes the leader step down (§5.1).
TEST(Raft2AA, DisruptiveFollower) {
  Network nt(3, testutil::TestSeed());
  Raft& n1 = nt.node(1);
  Raft& n3 = nt.node(3);
  for (uint64_t id : nt.ids()) nt.node(id).becomeFollower(1, None);
  nt.Send(test::Hup(1));
  ASSERT_EQ(n1.state, StateType::kLeader) << DescribeNode(n1) << "\n" << nt.RecentTrace();
  ASSERT_EQ(n3.state, StateType::kFollower) << DescribeNode(n3);

  for (int i = 0; i < 40 && n3.state != StateType::kCandidate; ++i) n3.tick();
  ASSERT_EQ(n3.state, StateType::kCandidate)
      << "a follower that hears nothing must campaign within 40 ticks (election 10). "
      << DescribeNode(n3);
  ASSERT_EQ(n1.term, 2u) << DescribeNode(n1);
  ASSERT_EQ(n3.term, 3u) << DescribeNode(n3);

  // The leader's heartbeat, sent at term 2, arrives now.
  nt.Send(MakeMessage(1, 3, eraftpb::MsgHeartbeat, n1.term));
  EXPECT_EQ(n1.state, StateType::kFollower)
      << "§5.1: candidate 3 (term 3) answers the late heartbeat of term 2 with its own term; "
         "leader 1 must step down when it sees term 3. "
      << DescribeNode(n1) << "\n  messages:\n"
      << nt.RecentTrace();
  EXPECT_EQ(n1.term, 3u) << DescribeNode(n1);
}

// Stricter than DisruptiveFollower: the candidate's vote requests are lost, so only its
// answer to the stale heartbeat can tell the leader about term 3.
TEST(Raft2AA, StaleHeartbeatAnswerDeposesLeader) {
  Network nt(3, testutil::TestSeed());
  Raft& n1 = nt.node(1);
  Raft& n3 = nt.node(3);
  nt.Send(test::Hup(1));
  ASSERT_EQ(n1.state, StateType::kLeader) << DescribeNode(n1) << "\n" << nt.RecentTrace();
  for (int i = 0; i < 40 && n3.state != StateType::kCandidate; ++i) n3.tick();
  ASSERT_EQ(n3.state, StateType::kCandidate) << DescribeNode(n3);
  std::vector<Message> lost = ReadMessages(n3);

  nt.Send(MakeMessage(1, 3, eraftpb::MsgHeartbeat, n1.term));
  EXPECT_EQ(n1.state, StateType::kFollower)
      << "§5.1: a node answers a request from an older term with its own term, and a leader "
         "that sees a newer term steps down. Candidate 3's vote requests were lost:\n"
      << DescribeMessages(lost) << "\n  so its answer to leader 1's heartbeat must do it. "
      << DescribeNode(n1) << "\n  messages:\n"
      << nt.RecentTrace();
  EXPECT_EQ(n1.term, n3.term) << DescribeNode(n1);
}

// Election safety (§5.2): at most one leader per term, whatever the timing and losses; and a
// group whose network heals elects a leader that everyone follows.
TEST(Raft2AA, RandomizedElectionSafety) {
  for (uint64_t run = 0; run < 5; ++run) {
    const uint64_t seed = testutil::DeriveSeed(run);
    SCOPED_TRACE("run " + std::to_string(run) + ", network seed " + std::to_string(seed));
    Network nt(5, seed);
    std::mt19937_64 rng(seed);
    for (uint64_t from : nt.ids()) {
      for (uint64_t to : nt.ids()) {
        if (from != to) nt.Drop(from, to, 0.3);
      }
    }
    std::map<uint64_t, uint64_t> leader_of_term;
    bool safe = true;
    for (int round = 0; round < 300 && safe; ++round) {
      uint64_t id = 1 + rng() % 5;
      nt.Tick(id);
      for (uint64_t p : nt.ids()) {
        const Raft& r = nt.node(p);
        if (r.state != StateType::kLeader) continue;
        auto [it, fresh] = leader_of_term.emplace(r.term, p);
        if (!fresh && it->second != p) {
          ADD_FAILURE() << "§5.2 election safety: at most one leader can be elected in a given "
                           "term, but nodes "
                        << it->second << " and " << p << " both led term " << r.term << ".\n  "
                        << DescribeNode(nt.node(it->second)) << "\n  " << DescribeNode(r)
                        << "\n  messages:\n"
                        << nt.RecentTrace();
          safe = false;
          break;
        }
      }
    }
    if (!safe) continue;

    nt.Recover();
    uint64_t leader = None;
    for (int round = 0; round < 400 && leader == None; ++round) {
      for (uint64_t p : nt.ids()) nt.Tick(p);
      std::set<uint64_t> leads;
      for (uint64_t p : nt.ids()) leads.insert(nt.node(p).lead);
      if (leads.size() == 1 && *leads.begin() != None &&
          nt.node(*leads.begin()).state == StateType::kLeader) {
        leader = *leads.begin();
      }
    }
    std::string nodes;
    for (uint64_t p : nt.ids()) nodes += "\n  " + DescribeNode(nt.node(p));
    EXPECT_NE(leader, None) << "once the network heals, ticking every node must elect a leader "
                               "that all five follow (400 rounds of ticks):"
                            << nodes << "\n  messages:\n"
                            << nt.RecentTrace(20);
  }
}

// ---------------------------------------------------------------------------------------
// Faulty networks: duplicates and restarts

// A network may deliver a message twice. A vote is one per voter, however often its answer
// arrives: count votes by who granted them, not by how many grants arrived.
TEST(Raft2AA, DuplicatedVoteResponseCountsOnce) {
  using P = Network::Peer;
  std::vector<P> peers;
  peers.push_back(P::New());
  peers.push_back(P::New());
  for (int i = 0; i < 3; ++i) peers.push_back(P::BlackHole());
  Network nt(std::move(peers), testutil::TestSeed());
  nt.Duplicate(2, 1, 1.0);
  nt.Send(test::Hup(1));
  const Raft& r = nt.node(1);
  EXPECT_EQ(r.state, StateType::kCandidate)
      << "§5.2: a candidate needs votes from a majority of the servers. In a group of 5 with "
         "3 nodes down, node 1 has its own vote and node 2's (delivered twice by the network): "
         "2 of 5 is no majority. Count each voter once (e.g. votes[from] = granted)."
      << "\n  " << DescribeNode(r) << "\n  messages:\n"
      << nt.RecentTrace(20);
}

// The same holds for a healthy-looking election on a network that duplicates everything:
// exactly one leader, and every vote request answered consistently.
TEST(Raft2AA, ElectionOnDuplicatingNetwork) {
  Network nt(5, testutil::TestSeed());
  for (uint64_t from : nt.ids()) {
    for (uint64_t to : nt.ids()) {
      if (from != to) nt.Duplicate(from, to, 1.0);
    }
  }
  nt.Send(test::Hup(1));
  EXPECT_EQ(nt.node(1).state, StateType::kLeader) << DescribeNode(nt.node(1)) << "\n"
                                                  << nt.RecentTrace(30);
  nt.Send(test::Hup(2));
  for (uint64_t id : nt.ids()) {
    const Raft& r = nt.node(id);
    EXPECT_EQ(r.state, id == 2 ? StateType::kLeader : StateType::kFollower)
        << "node 2 campaigned at term 2 on a network that delivers every message twice: it "
           "must win, and every other node (the old leader included) must follow it. "
        << DescribeNode(r) << "\n  messages:\n"
        << nt.RecentTrace(30);
  }
}

// Term and vote are persisted before a vote is sent (Figure 2, "Persistent state on all
// servers"), and a restarted node reads them back: otherwise a node that voted, crashed and
// restarted could vote again in the same term, and two leaders could be elected in one term.
TEST(Raft2AA, RestartedNodeKeepsItsTermAndVote) {
  Network nt(3, testutil::TestSeed());
  nt.SetPersistence(true);        // persist every step, as a RawNode application does
  nt.Ignore(eraftpb::MsgAppend);  // keep every log empty: only votes decide below
  nt.Isolate(3);
  nt.Send(test::Hup(1));
  ASSERT_EQ(nt.node(1).state, StateType::kLeader)
      << "node 1 campaigns with node 2 reachable: it must win term 1. " << DescribeNode(nt.node(1))
      << "\n"
      << nt.RecentTrace(20);
  ASSERT_EQ(nt.node(2).vote, 1u) << "node 2 voted for node 1. " << DescribeNode(nt.node(2));

  nt.Crash(2);
  nt.RestartNode(2);
  const Raft& n2 = nt.node(2);
  EXPECT_EQ(n2.term, 1u) << "node 2 persisted term 1 before answering; after a restart it must "
                            "start at that term (read the HardState from storage). "
                         << DescribeNode(n2) << "\n  " << nt.RecentTrace(3);
  EXPECT_EQ(n2.vote, 1u) << "node 2 persisted its vote for node 1 in term 1; after a restart it "
                            "must still know it voted. "
                         << DescribeNode(n2) << "\n  " << nt.RecentTrace(3);

  // Node 3, cut off, campaigns in term 1 too; its request reaches the restarted node 2.
  nt.Send(test::Hup(3));
  ASSERT_EQ(nt.node(3).state, StateType::kCandidate) << DescribeNode(nt.node(3));
  ASSERT_EQ(nt.node(3).term, 1u) << DescribeNode(nt.node(3));
  nt.Recover();
  Message req = MakeMessage(3, 2, eraftpb::MsgRequestVote, 1);
  nt.Send(req);
  EXPECT_NE(nt.node(3).state, StateType::kLeader)
      << "§5.2 election safety: node 1 already leads term 1 with node 2's vote. Node 2 was "
         "restarted and then granted "
      << DescribeMessage(req) << ", so node 3 became a second leader of term 1.\n  "
      << DescribeNode(nt.node(1)) << "\n  " << DescribeNode(nt.node(2)) << "\n  "
      << DescribeNode(nt.node(3)) << "\n  messages:\n"
      << nt.RecentTrace(20);
}

}  // namespace
}  // namespace raft
