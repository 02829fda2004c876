// Lab 2AC: what happens between Ready() and Advance() (public suite, part of
// //raft/tests:rawnode_2ac_test).
//
// A real application does not handle a Ready instantly: while it writes to disk, messages
// arrive, clients propose, the clock ticks, and it may crash half-way. These tests act in that
// window with raft::test::ReadyHarness (raft/testing/ready_harness.h), which also checks every
// Ready against what the application already did: committed entries neither skipped nor
// handed out twice, persisted entries not handed out again, hard and soft state reported
// exactly when they changed, HasReady() agreeing with Ready(). A broken rule fails as
// "Ready contract broken (<rule>)".

#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "proto/eraftpb.pb.h"
#include "raft/rawnode.h"
#include "raft/testing/describe.h"
#include "raft/testing/ready_harness.h"
#include "raft/testing/test_raft.h"
#include "raft/util.h"
#include "testutil/seed.h"

namespace raft {
namespace {

using eraftpb::Message;
using test::DescribeMessages;
using test::DescribeReady;
using test::ReadyHarness;

Message VoteGrant(uint64_t from, uint64_t to, uint64_t term) {
  return test::MakeMessage(from, to, eraftpb::MsgRequestVoteResponse, term);
}

Message AppendAck(uint64_t from, uint64_t to, uint64_t term, uint64_t index) {
  Message m = test::MakeMessage(from, to, eraftpb::MsgAppendResponse, term);
  m.set_index(index);
  return m;
}

Message VoteRequest(uint64_t from, uint64_t to, uint64_t term, uint64_t last_index,
                    uint64_t last_term) {
  Message m = test::MakeMessage(from, to, eraftpb::MsgRequestVote, term);
  m.set_index(last_index);
  m.set_log_term(last_term);
  return m;
}

// Node 1 of {1, 2, 3} campaigns, wins with node 2's vote, and handles every Ready: the leader
// of term 1 with its no-op (index 1) persisted and the appends sent, nothing committed yet.
void ElectNodeOne(ReadyHarness& h) {
  h.Campaign();
  h.Step(VoteGrant(2, 1, 1));
  h.Settle();
  ASSERT_EQ(h.raft().state, StateType::kLeader)
      << "node 1 campaigned and got node 2's vote (a majority of 3 with its own): it must "
         "lead.\n  "
      << h.Describe();
}

std::vector<uint64_t> Indexes(const std::vector<eraftpb::Entry>& ents) {
  std::vector<uint64_t> out;
  for (const auto& e : ents) out.push_back(e.index());
  return out;
}

size_t CountType(const std::vector<Message>& msgs, eraftpb::MessageType t) {
  size_t n = 0;
  for (const Message& m : msgs) n += m.msg_type() == t ? 1 : 0;
  return n;
}

// Whether `prefix` is the beginning of `all`, message for message (payloads included).
bool MessagesStartWith(const std::vector<Message>& all, const std::vector<Message>& prefix) {
  if (prefix.size() > all.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (all[i].SerializeAsString() != prefix[i].SerializeAsString()) return false;
  }
  return true;
}

// --- Ready twice, with work arriving in between ---------------------------------------------

TEST(Raft2AC, ReadyAgainWithoutAdvanceLosesNothingAndRepeatsNothing) {
  ReadyHarness h(1, {1, 2, 3});
  ASSERT_NO_FATAL_FAILURE(ElectNodeOne(h));
  h.Propose("a");
  h.Round();
  h.Step(AppendAck(2, 1, 1, 2));  // node 2 holds the no-op and "a": both commit
  h.Propose("b");

  // The application takes a Ready but never gets to handle it (its handler gave up, or it
  // batches); then more work arrives and it asks again.
  const Ready first = h.Ready();
  ASSERT_EQ(Indexes(first.committed_entries), (std::vector<uint64_t>{1, 2}))
      << "node 2 acknowledged entries 1-2: with node 1 a majority, so both are committed and "
         "must be handed out to apply.\n"
      << DescribeReady(first) << "\n  " << h.Describe();
  ASSERT_EQ(Indexes(first.entries), (std::vector<uint64_t>{3}))
      << "\"b\" (entry 3) was proposed and not persisted yet.\n"
      << DescribeReady(first);
  h.Propose("c");
  h.Step(AppendAck(3, 1, 1, 2));  // node 3 catches up to 2: nothing new to commit
  const Ready second = h.Ready();

  EXPECT_EQ(Indexes(second.entries), (std::vector<uint64_t>{3, 4}))
      << "the first Ready was never acknowledged, so its entry 3 is still unpersisted and must "
         "be handed out again, followed by entry 4 (\"c\", proposed since).\n first:\n"
      << DescribeReady(first) << "\n second:\n"
      << DescribeReady(second);
  EXPECT_EQ(Indexes(second.committed_entries), Indexes(first.committed_entries))
      << "nothing was applied (no Advance): the same committed entries must be handed out "
         "again.\n first:\n"
      << DescribeReady(first) << "\n second:\n"
      << DescribeReady(second);
  EXPECT_TRUE(MessagesStartWith(second.messages, first.messages))
      << "the first Ready's messages were never sent (no Advance): the second Ready must still "
         "hold all of them, in order, followed by the new ones.\n first:\n"
      << DescribeReady(first) << "\n second:\n"
      << DescribeReady(second);

  // Handling the second Ready covers both.
  h.Persist(second);
  h.Send(second);
  h.Apply(second);
  h.Advance(second);
  const Ready after = h.Ready();
  for (const Message& m : after.messages) {
    for (const Message& old : second.messages) {
      EXPECT_NE(m.SerializeAsString(), old.SerializeAsString())
          << "message " << DescribeMessage(m) << " was in the Ready the application "
          << "acknowledged, and is handed out again.\n"
          << DescribeReady(after);
    }
  }
  h.Persist(after);
  h.Send(after);
  h.Apply(after);
  h.Advance(after);

  h.Step(AppendAck(2, 1, 1, 4));
  h.Settle();
  EXPECT_EQ(h.AppliedData(), (std::vector<std::string>{"a", "b", "c"}))
      << "every committed entry must be applied exactly once, in order; applied "
      << test::DescribeEntriesWithData(h.applied_entries()) << "\n  " << h.Describe();
  EXPECT_EQ(h.storage().LastIndex().value(), 4u) << h.Describe();
  EXPECT_FALSE(h.node().HasReady()) << DescribeReady(h.node().Ready());
}

// --- Messages -----------------------------------------------------------------------------

TEST(Raft2AC, MessagesAreHandedOutExactlyOnce) {
  ReadyHarness h(1, {1, 2, 3});
  ASSERT_NO_FATAL_FAILURE(ElectNodeOne(h));
  h.TakeSent();

  h.Tick();  // heartbeat_tick is 1: heartbeats to nodes 2 and 3
  const Ready rd = h.Ready();
  ASSERT_EQ(CountType(rd.messages, eraftpb::MsgHeartbeat), 2u)
      << "a leader of {1, 2, 3} whose heartbeat timeout (1 tick) elapsed sends one heartbeat "
         "to each follower.\n"
      << DescribeReady(rd) << "\n  " << h.Describe();
  const Ready again = h.Ready();
  EXPECT_EQ(again.messages.size(), rd.messages.size())
      << "Ready() called again before Advance must hand out the same messages, no more (they "
         "would be sent twice) and no fewer (they would be lost).\n"
      << DescribeReady(again);

  // While the heartbeats are on their way, node 2 answers an earlier one: it lacks the no-op,
  // so the leader sends it an append.
  h.Step(test::MakeMessage(2, 1, eraftpb::MsgHeartbeatResponse, 1));
  h.Persist(rd);
  h.Send(rd);
  h.Apply(rd);
  h.Advance(rd);

  const Ready next = h.Ready();
  EXPECT_EQ(CountType(next.messages, eraftpb::MsgHeartbeat), 0u)
      << "the heartbeats were handed out and acknowledged by Advance: they must not come "
         "back.\n"
      << DescribeReady(next);
  EXPECT_EQ(CountType(next.messages, eraftpb::MsgAppend), 1u)
      << "the append to node 2 was created after Ready() and before Advance(rd): it was not "
         "in rd, so Advance(rd) must not drop it; it goes out with the next Ready.\n"
      << DescribeReady(next) << "\n  " << h.Describe();
  h.Persist(next);
  h.Send(next);
  h.Apply(next);
  h.Advance(next);
  EXPECT_FALSE(h.node().HasReady()) << DescribeReady(h.node().Ready());

  const std::vector<Message> sent = h.TakeSent();
  EXPECT_EQ(sent.size(), 3u) << "two heartbeats and one append, each sent once; sent:\n"
                             << DescribeMessages(sent);
}

// --- Hard and soft state ------------------------------------------------------------------

TEST(Raft2AC, HardStateChangedBetweenReadyAndAdvanceIsPersistedNext) {
  ReadyHarness h(1, {1, 2, 3});
  h.Step(VoteRequest(2, 1, 1, 0, 0));
  const Ready rd = h.Ready();
  ASSERT_EQ(rd.hard_state.term(), 1u) << "node 1 voted for node 2 in term 1: persist it.\n"
                                      << DescribeReady(rd) << "\n  " << h.Describe();
  ASSERT_EQ(rd.hard_state.vote(), 2u) << DescribeReady(rd);
  h.Persist(rd);

  // Before the application acknowledges, node 3 starts term 2 and node 1 votes for it.
  h.Step(VoteRequest(3, 1, 2, 0, 0));
  ASSERT_EQ(h.raft().vote, 3u) << "node 1 is free to vote in term 2. " << h.Describe();
  h.Send(rd);
  h.Apply(rd);
  h.Advance(rd);

  const Ready next = h.Ready();
  EXPECT_EQ(next.hard_state.term(), 2u)
      << "term 2 and the vote for node 3 came after Ready() and before Advance(rd): the disk "
         "holds term 1, so the next Ready must carry the new HardState. Advance must take the "
         "baseline from rd.hard_state, not from the node's current state.\n"
      << DescribeReady(next) << "\n  " << h.Describe();
  EXPECT_EQ(next.hard_state.vote(), 3u) << DescribeReady(next);
  ASSERT_EQ(CountType(next.messages, eraftpb::MsgRequestVoteResponse), 1u)
      << "the answer to node 3 goes out with the next Ready, once.\n"
      << DescribeReady(next);
  h.Persist(next);
  h.Send(next);
  h.Apply(next);
  h.Advance(next);

  // After a crash the node must remember the vote, and refuse node 2 in term 2.
  h.CrashAndRestart();
  EXPECT_EQ(h.raft().term, 2u) << h.Describe();
  EXPECT_EQ(h.raft().vote, 3u) << "the vote for node 3 in term 2 must have reached the disk. "
                               << h.Describe();
  h.Step(VoteRequest(2, 1, 2, 0, 0));
  const Ready answer = h.Round();
  ASSERT_EQ(answer.messages.size(), 1u) << DescribeReady(answer);
  EXPECT_TRUE(answer.messages[0].reject())
      << "node 1 voted for node 3 in term 2 (before the crash): it must refuse node 2 in the "
         "same term. "
      << DescribeMessage(answer.messages[0]);
}

TEST(Raft2AC, SoftStateChangedBetweenReadyAndAdvanceIsReportedNext) {
  ReadyHarness h(1, {1, 2, 3});
  ASSERT_NO_FATAL_FAILURE(ElectNodeOne(h));
  h.Propose("x");
  const Ready rd = h.Ready();
  ASSERT_FALSE(rd.soft_state.has_value()) << "node 1 still leads.\n" << DescribeReady(rd);

  // While rd is being handled, a leader of term 5 shows up: node 1 steps down to follow it.
  Message app = test::MakeMessage(2, 1, eraftpb::MsgAppend, 5);
  app.set_index(1);
  app.set_log_term(1);
  h.Step(app);
  ASSERT_EQ(h.raft().state, StateType::kFollower) << h.Describe();
  h.Persist(rd);
  h.Send(rd);
  h.Apply(rd);
  h.Advance(rd);

  const Ready next = h.Ready();
  ASSERT_TRUE(next.soft_state.has_value())
      << "node 1 stopped leading after Ready() and before Advance(rd): the application still "
         "believes it leads (raftstore would keep accepting proposals), so the next Ready must "
         "report the change.\n"
      << DescribeReady(next) << "\n  " << h.Describe();
  EXPECT_EQ(next.soft_state->raft_state, StateType::kFollower) << DescribeReady(next);
  EXPECT_EQ(next.soft_state->lead, 2u) << DescribeReady(next);
  h.Persist(next);
  h.Send(next);
  h.Apply(next);
  h.Advance(next);
  EXPECT_FALSE(h.node().Ready().soft_state.has_value())
      << "the change was acknowledged: it must not be reported again";
}

// --- Commits arriving between Ready and Advance -------------------------------------------

TEST(Raft2AC, LeaderCommitBetweenReadyAndAdvanceIsHandedOutNext) {
  ReadyHarness h(1, {1, 2, 3});
  ASSERT_NO_FATAL_FAILURE(ElectNodeOne(h));
  h.Propose("a");
  h.Propose("b");
  h.Round();
  h.Step(AppendAck(2, 1, 1, 2));
  const Ready rd = h.Ready();
  ASSERT_EQ(Indexes(rd.committed_entries), (std::vector<uint64_t>{1, 2}))
      << "node 2 holds entries 1-2: committed.\n"
      << DescribeReady(rd) << "\n  " << h.Describe();

  const ReadyHarness::Marks before = h.marks();
  h.Step(AppendAck(2, 1, 1, 3));  // entry 3 commits while rd is being handled
  ASSERT_EQ(h.raft().raft_log.committed, 3u) << h.Describe();
  h.ExpectNothingAdvancedSince(before, "a step that committed entry 3");
  h.Persist(rd);
  h.Send(rd);
  h.Apply(rd);
  h.Advance(rd);
  EXPECT_EQ(h.raft().raft_log.applied, 2u)
      << "Advance(rd) must move applied to rd's last committed entry (2), not to the commit "
         "index (3): entry 3 was not in rd and was not applied. "
      << h.Describe();

  const Ready next = h.Ready();
  EXPECT_EQ(Indexes(next.committed_entries), (std::vector<uint64_t>{3}))
      << "entry 3 committed between Ready() and Advance(): it must be handed out now, once.\n"
      << DescribeReady(next) << "\n  " << h.Describe();
  h.Persist(next);
  h.Send(next);
  h.Apply(next);
  h.Advance(next);
  EXPECT_EQ(h.AppliedData(), (std::vector<std::string>{"a", "b"}))
      << test::DescribeEntriesWithData(h.applied_entries());
}

TEST(Raft2AC, FollowerEntriesAndCommitArrivingBetweenReadyAndAdvance) {
  ReadyHarness h(2, {1, 2, 3});
  Message first = test::MakeMessage(1, 2, eraftpb::MsgAppend, 1);
  *first.add_entries() = test::MakeEntry(1, 1);
  *first.add_entries() = test::MakeEntry(2, 1, "a");
  h.Step(first);
  const Ready rd = h.Ready();
  ASSERT_EQ(Indexes(rd.entries), (std::vector<uint64_t>{1, 2}))
      << "node 2 accepted entries 1-2 from leader 1: persist them.\n"
      << DescribeReady(rd) << "\n  " << h.Describe();

  const ReadyHarness::Marks before = h.marks();
  Message more = test::MakeMessage(1, 2, eraftpb::MsgAppend, 1);
  more.set_index(2);
  more.set_log_term(1);
  more.set_commit(4);
  *more.add_entries() = test::MakeEntry(3, 1, "b");
  *more.add_entries() = test::MakeEntry(4, 1, "c");
  h.Step(more);
  h.ExpectNothingAdvancedSince(before, "an append of entries 3-4 with commit 4");
  h.Persist(rd);
  h.Send(rd);
  h.Apply(rd);
  h.Advance(rd);
  EXPECT_EQ(h.raft().raft_log.stabled, 2u)
      << "the application persisted entries 1-2 (rd's); entries 3-4 arrived after Ready() and "
         "are not on disk: Advance(rd) must move stabled to 2, not to the last index. "
      << h.Describe();

  const Ready next = h.Ready();
  EXPECT_EQ(Indexes(next.entries), (std::vector<uint64_t>{3, 4}))
      << "entries 3-4 are still to be persisted.\n"
      << DescribeReady(next) << "\n  " << h.Describe();
  EXPECT_EQ(Indexes(next.committed_entries), (std::vector<uint64_t>{1, 2, 3, 4}))
      << "commit 4 arrived with entries 3-4: all four are committed, none applied.\n"
      << DescribeReady(next);
  h.Persist(next);
  h.Send(next);
  h.Apply(next);
  h.Advance(next);
  EXPECT_EQ(h.AppliedData(), (std::vector<std::string>{"a", "b", "c"}))
      << test::DescribeEntriesWithData(h.applied_entries());
  EXPECT_FALSE(h.node().HasReady()) << DescribeReady(h.node().Ready());
}

// --- Nothing new, no Ready ----------------------------------------------------------------

TEST(Raft2AC, InputsThatChangeNothingLeaveNothingReady) {
  ReadyHarness h(1, {1, 2, 3}, /*election=*/10, /*heartbeat=*/5);
  ASSERT_NO_FATAL_FAILURE(ElectNodeOne(h));
  h.Step(AppendAck(2, 1, 1, 1));
  h.Step(AppendAck(3, 1, 1, 1));
  h.Settle();
  ASSERT_EQ(h.raft().raft_log.committed, 1u) << h.Describe();
  ASSERT_FALSE(h.node().HasReady()) << DescribeReady(h.node().Ready());

  struct Input {
    const char* what;
    Message m;
  };
  const std::vector<Input> inputs = {
      {"a repeated MsgAppendResponse for an index already acknowledged", AppendAck(2, 1, 1, 1)},
      {"a MsgHeartbeatResponse from a follower that is up to date",
       test::MakeMessage(3, 1, eraftpb::MsgHeartbeatResponse, 1)},
      {"a late vote for a leader that already won", VoteGrant(3, 1, 1)},
  };
  for (const Input& in : inputs) {
    h.Step(in.m);
    EXPECT_FALSE(h.node().HasReady()) << in.what << " (" << DescribeMessage(in.m)
                                      << ") changes nothing: HasReady() must stay false. Ready():\n"
                                      << DescribeReady(h.node().Ready()) << "\n  " << h.Describe();
    h.Settle();
  }
  h.Tick(4);
  EXPECT_FALSE(h.node().HasReady())
      << "4 ticks of a heartbeat timeout of 5 change nothing an application must handle. "
         "Ready():\n"
      << DescribeReady(h.node().Ready());
  h.Tick();
  EXPECT_TRUE(h.node().HasReady()) << "the 5th tick sends heartbeats. " << h.Describe();
  h.Settle();
  EXPECT_FALSE(h.node().HasReady()) << DescribeReady(h.node().Ready());
}

// --- Crashes between Ready and Advance ----------------------------------------------------

// A leader with "a", "b" and "c" committed (entries 2-4) and the Ready that hands them out
// taken but not yet handled.
void CommitThree(ReadyHarness& h, Ready* rd) {
  ASSERT_NO_FATAL_FAILURE(ElectNodeOne(h));
  for (const char* d : {"a", "b", "c"}) h.Propose(d);
  h.Round();
  h.Step(AppendAck(2, 1, 1, 4));
  *rd = h.Ready();
}

TEST(Raft2AC, CrashAfterPersistBeforeApplyHandsTheEntriesOutAgain) {
  ReadyHarness h(1, {1, 2, 3});
  Ready rd;
  ASSERT_NO_FATAL_FAILURE(CommitThree(h, &rd));
  ASSERT_EQ(Indexes(rd.committed_entries), (std::vector<uint64_t>{1, 2, 3, 4}))
      << DescribeReady(rd) << "\n  " << h.Describe();
  h.Persist(rd);
  h.CrashAndRestart();  // before applying anything

  const Ready first = h.Ready();
  EXPECT_EQ(Indexes(first.committed_entries), (std::vector<uint64_t>{1, 2, 3, 4}))
      << "the commit index (4) reached the disk with the HardState but nothing was applied "
         "(Config::applied = 0): the restarted node must hand entries 1-4 out again.\n"
      << DescribeReady(first) << "\n  " << h.Describe();
  EXPECT_TRUE(first.entries.empty()) << "every entry is in storage already: nothing to persist.\n"
                                     << DescribeReady(first);
  h.Persist(first);
  h.Send(first);
  h.Apply(first);
  h.Advance(first);
  EXPECT_EQ(h.AppliedData(), (std::vector<std::string>{"a", "b", "c"}))
      << test::DescribeEntriesWithData(h.applied_entries());
  EXPECT_FALSE(h.node().HasReady()) << DescribeReady(h.node().Ready());
}

TEST(Raft2AC, CrashAfterApplyBeforeAdvanceDoesNotApplyTwice) {
  ReadyHarness h(1, {1, 2, 3});
  Ready rd;
  ASSERT_NO_FATAL_FAILURE(CommitThree(h, &rd));
  h.Persist(rd);
  h.Send(rd);
  h.Apply(rd);
  ASSERT_EQ(h.AppliedData(), (std::vector<std::string>{"a", "b", "c"}))
      << DescribeReady(rd) << "\n  " << h.Describe();
  h.CrashAndRestart();  // applied (and the state machine is durable), not acknowledged

  const Ready first = h.Ready();
  EXPECT_TRUE(first.committed_entries.empty())
      << "the application applied up to 4 before the crash and restarts with "
         "Config::applied = 4: nothing may be handed out to apply again.\n"
      << DescribeReady(first) << "\n  " << h.Describe();
  EXPECT_TRUE(IsEmptyHardState(first.hard_state))
      << "the restarted node's HardState is the one in storage.\n"
      << DescribeReady(first);
  EXPECT_FALSE(h.node().HasReady()) << DescribeReady(first);
}

// --- Random interleavings ------------------------------------------------------------------

// Three applications, each with a RawNode, that take a Ready and then handle it one step at a
// time, in a random interleaving with ticks, deliveries, proposals and crashes (seeded by
// TINYKV_SEED). The harness checks each Ready; at the end every node must have applied the
// same entries.
TEST(Raft2AC, RandomInterleavingsKeepTheReadyContract) {
  std::mt19937_64 rng(testutil::TestSeed());
  auto below = [&](uint64_t n) { return rng() % n; };
  std::vector<std::unique_ptr<ReadyHarness>> apps;
  for (uint64_t id = 1; id <= 3; ++id) {
    apps.push_back(std::make_unique<ReadyHarness>(id, test::IdsBySize(3)));
  }
  struct Held {
    Ready rd;
    int stage = 0;  // 0: none; 1: taken; 2: persisted; 3: sent; 4: applied
  };
  std::vector<Held> held(3);
  std::deque<Message> wire;
  std::deque<std::string> recent;  // the last actions, for failure messages
  auto note = [&](std::string s) {
    recent.push_back(std::move(s));
    if (recent.size() > 25) recent.pop_front();
  };
  auto ship = [&](ReadyHarness& h) {
    for (Message& m : h.TakeSent()) wire.push_back(std::move(m));
  };
  int proposals = 0;

  for (int step = 0; step < 3000 && !::testing::Test::HasFailure(); ++step) {
    const size_t i = below(3);
    ReadyHarness& h = *apps[i];
    Held& hd = held[i];
    const std::string who = "node " + std::to_string(i + 1);
    switch (below(8)) {
      case 0:
        h.Tick();
        note(who + " ticks");
        break;
      case 1:
      case 2:
        if (!wire.empty()) {
          const size_t k = below(wire.size());
          Message m = wire[k];
          wire.erase(wire.begin() + k);
          note("deliver " + DescribeMessage(m));
          apps[m.to() - 1]->Step(m);
        }
        break;
      case 3:
        if (h.raft().state == StateType::kLeader) {
          h.Propose("p" + std::to_string(proposals++));
          note(who + " proposes");
        }
        break;
      case 4:
      case 5:
      case 6:
        // One step of the application loop.
        if (hd.stage == 0) {
          if (!h.node().HasReady()) break;
          hd.rd = h.Ready();
          hd.stage = 1;
          note(who + " takes a Ready");
        } else if (hd.stage == 1) {
          h.Persist(hd.rd);
          hd.stage = 2;
          note(who + " persists");
        } else if (hd.stage == 2) {
          h.Send(hd.rd);
          ship(h);
          hd.stage = 3;
          note(who + " sends");
        } else if (hd.stage == 3) {
          h.Apply(hd.rd);
          hd.stage = 4;
          note(who + " applies");
        } else {
          h.Advance(hd.rd);
          hd.stage = 0;
          note(who + " advances");
        }
        break;
      case 7:
        if (below(20) == 0) {
          h.CrashAndRestart();
          hd.stage = 0;
          note(who + " crashes and restarts");
        }
        break;
    }
  }
  std::string trace;
  for (const std::string& s : recent) trace += "\n    " + s;
  ASSERT_FALSE(::testing::Test::HasFailure())
      << "the failure above happened in the random phase; its last actions were:" << trace;

  // Calm: finish every held Ready, then let the cluster settle with a reliable network.
  for (size_t i = 0; i < 3; ++i) {
    if (held[i].stage == 0) continue;
    if (held[i].stage < 2) apps[i]->Persist(held[i].rd);
    if (held[i].stage < 3) apps[i]->Send(held[i].rd);
    if (held[i].stage < 4) apps[i]->Apply(held[i].rd);
    apps[i]->Advance(held[i].rd);
    ship(*apps[i]);
  }
  for (int round = 0; round < 300 && !::testing::Test::HasFailure(); ++round) {
    while (!wire.empty()) {
      Message m = wire.front();
      wire.pop_front();
      apps[m.to() - 1]->Step(m);
      for (auto& a : apps) {
        a->Settle();
        ship(*a);
      }
    }
    for (auto& a : apps) {
      a->Tick();
      a->Settle();
      ship(*a);
    }
  }
  const std::vector<eraftpb::Entry>& ref = apps[0]->applied_entries();
  for (auto& a : apps) {
    EXPECT_EQ(test::DescribeEntriesWithData(a->applied_entries()),
              test::DescribeEntriesWithData(ref))
        << "after the cluster settled, node " << a->raft().id << " and node 1 applied different "
        << "entries: every node must apply every committed entry exactly once, in order.\n  "
        << a->Describe() << "\n  " << apps[0]->Describe() << "\n  last actions of the random "
        << "phase:" << trace;
  }
  EXPECT_GT(proposals, 0) << "no leader was ever elected in 3000 random steps:" << trace;
}

// --- The Ready contract: every durable change is in the very next Ready ----------------------
//
// Term, vote and commit (the HardState), new entries and a pending snapshot must survive a
// crash, so each change of them must reach the application in the very next Ready — before the
// message that it justifies goes out. One scenario per field; the harness's audit
// (raft/testing/ready_contract.h) also checks after each Advance that nothing durable is left
// only in memory, and reports "Ready contract audit: node <id>, field <field>, ...".

namespace contract {

Message Append(uint64_t from, uint64_t to, uint64_t term, uint64_t prev_index, uint64_t prev_term,
               const std::vector<eraftpb::Entry>& ents, uint64_t commit) {
  Message m = test::MakeMessage(from, to, eraftpb::MsgAppend, term);
  m.set_index(prev_index);
  m.set_log_term(prev_term);
  m.set_commit(commit);
  for (const auto& e : ents) *m.add_entries() = e;
  return m;
}

std::string Terms(const std::vector<eraftpb::Entry>& ents) {
  std::string s;
  for (const auto& e : ents) {
    s += (s.empty() ? "" : " ") + std::to_string(e.index()) + "@" + std::to_string(e.term());
  }
  return "[" + s + "]";
}

// Handles rd completely, as an application does.
void Handle(ReadyHarness& h, const Ready& rd) {
  h.Persist(rd);
  h.Send(rd);
  h.Apply(rd);
  h.Advance(rd);
}

}  // namespace contract

TEST(Raft2AC, AVoteGrantedInTheCurrentTermIsInTheNextReady) {
  ReadyHarness h(1, {1, 2, 3});
  // Node 1 holds entry 1@1 from leader 3; then candidate 2, whose log is empty, asks for its
  // vote in term 5: refused (2's log is behind), but node 1 moves to term 5 without voting.
  h.Step(contract::Append(3, 1, 1, 0, 0, {test::MakeEntry(1, 1)}, 0));
  h.Settle();
  h.Step(VoteRequest(2, 1, 5, 0, 0));
  h.Settle();
  ASSERT_EQ(h.raft().term, 5u) << "a vote request of term 5 moves node 1 to term 5.\n  "
                               << h.Describe();
  ASSERT_EQ(h.raft().vote, None)
      << "candidate 2's log (empty) is behind node 1's (1@1): no vote for it.\n  " << h.Describe();

  // Candidate 3, as up to date as node 1, asks in the same term: granted. Only the vote
  // changed — not term, not commit.
  h.Step(VoteRequest(3, 1, 5, 1, 1));
  const Ready rd = h.Ready();
  EXPECT_EQ(rd.hard_state.term(), 5u);
  EXPECT_EQ(rd.hard_state.vote(), 3u)
      << "node 1 granted its vote to 3 in term 5, the term it was already in: the very next "
         "Ready must carry HardState{term=5 vote=3}. A Ready that decides \"HardState "
         "changed?\" by term and commit alone misses it, and a crash after the grant lets the "
         "node vote again in term 5 — for someone else (two leaders in one term).\n"
      << DescribeReady(rd) << "\n  " << h.Describe();
  EXPECT_EQ(CountType(rd.messages, eraftpb::MsgRequestVoteResponse), 1u)
      << "the grant goes out in the same Ready, after the application persisted the vote.\n"
      << DescribeReady(rd);
  contract::Handle(h, rd);
  EXPECT_EQ(h.storage().InitialState().value().hard_state.vote(), 3u)
      << "after the Ready was handled a restart must find the vote on disk.\n  " << h.Describe();
}

TEST(Raft2AC, ATermBumpFromAHigherTermMessageIsInTheNextReady) {
  ReadyHarness h(1, {1, 2, 3});
  // A vote request of a higher term that is refused still moves the node to that term.
  h.Step(contract::Append(3, 1, 1, 0, 0, {test::MakeEntry(1, 1)}, 0));
  h.Settle();
  h.Step(VoteRequest(2, 1, 4, 0, 0));
  Ready rd = h.Ready();
  EXPECT_EQ(rd.hard_state.term(), 4u)
      << "node 1 refused candidate 2's vote request of term 4 (2's log is behind) but moved to "
         "term 4: the very next Ready must carry HardState{term=4}, although no vote was "
         "granted. Otherwise a restart goes back to term 1 and could vote in term 4 after "
         "all.\n"
      << DescribeReady(rd) << "\n  " << h.Describe();
  EXPECT_EQ(rd.hard_state.vote(), None) << DescribeReady(rd);
  contract::Handle(h, rd);

  // A new leader's append of a higher term: the same.
  h.Step(contract::Append(2, 1, 6, 1, 1, {}, 0));
  rd = h.Ready();
  EXPECT_EQ(rd.hard_state.term(), 6u)
      << "leader 2's append of term 6 moved node 1 to term 6: the very next Ready must carry "
         "HardState{term=6}.\n"
      << DescribeReady(rd) << "\n  " << h.Describe();
  contract::Handle(h, rd);
  EXPECT_EQ(h.storage().InitialState().value().hard_state.term(), 6u) << h.Describe();
}

TEST(Raft2AC, ACommitAdvanceIsInTheNextReady) {
  // A follower learns the commit index from its leader's append.
  ReadyHarness f(1, {1, 2, 3});
  f.Step(contract::Append(2, 1, 1, 0, 0, {test::MakeEntry(1, 1), test::MakeEntry(2, 1, "x")}, 0));
  f.Settle();
  f.Step(contract::Append(2, 1, 1, 2, 1, {}, 2));
  Ready rd = f.Ready();
  EXPECT_EQ(rd.hard_state.commit(), 2u)
      << "leader 2 says entries up to 2 are committed: node 1's commit moves to 2, and the very "
         "next Ready must carry HardState{commit=2} with the entries to apply — a restart "
         "loads commit from the HardState, and entries applied (answered to clients) must be "
         "known committed after a crash.\n"
      << DescribeReady(rd) << "\n  " << f.Describe();
  EXPECT_EQ(Indexes(rd.committed_entries), (std::vector<uint64_t>{1, 2})) << DescribeReady(rd);
  contract::Handle(f, rd);

  // A leader's commit moves when a majority acknowledges.
  ReadyHarness h(1, {1, 2, 3});
  ASSERT_NO_FATAL_FAILURE(ElectNodeOne(h));
  h.Propose("a");
  h.Settle();
  h.Step(AppendAck(2, 1, 1, 2));
  rd = h.Ready();
  EXPECT_EQ(rd.hard_state.commit(), 2u)
      << "node 2 acknowledged entries 1-2, a majority with the leader: the leader's commit "
         "moves to 2 and the very next Ready must carry HardState{commit=2}.\n"
      << DescribeReady(rd) << "\n  " << h.Describe();
  contract::Handle(h, rd);
}

TEST(Raft2AC, ALeaderProposalIsInTheNextReadyEntries) {
  ReadyHarness h(1, {1, 2, 3});
  ASSERT_NO_FATAL_FAILURE(ElectNodeOne(h));
  h.Propose("x");
  const Ready rd = h.Ready();
  ASSERT_EQ(rd.entries.size(), 1u)
      << "the leader appended \"x\" at index 2: the very next Ready must hand out exactly that "
         "entry to persist (unstableEntries() = the entries after stabled).\n"
      << DescribeReady(rd) << "\n  " << h.Describe();
  EXPECT_EQ(rd.entries[0].index(), 2u) << DescribeReady(rd);
  EXPECT_EQ(rd.entries[0].term(), 1u) << DescribeReady(rd);
  EXPECT_EQ(rd.entries[0].data(), "x") << DescribeReady(rd);
  contract::Handle(h, rd);
  EXPECT_EQ(h.storage().LastIndex().value(), 2u) << h.Describe();
}

TEST(Raft2AC, AFollowerAppendIsInTheNextReadyEntriesAlsoWhenItReplacesEntries) {
  ReadyHarness h(1, {1, 2, 3});
  h.Step(contract::Append(
      2, 1, 1, 0, 0, {test::MakeEntry(1, 1), test::MakeEntry(2, 1), test::MakeEntry(3, 1)}, 1));
  Ready rd = h.Ready();
  EXPECT_EQ(contract::Terms(rd.entries), "[1@1 2@1 3@1]")
      << "leader 2's append gave node 1 entries 1-3: the very next Ready must hand them out to "
         "persist before the append response (which acknowledges them) goes out.\n"
      << DescribeReady(rd) << "\n  " << h.Describe();
  contract::Handle(h, rd);

  // A newer leader replaces entries 2-3 (never committed) with its own entry 2@2.
  h.Step(contract::Append(3, 1, 2, 1, 1, {test::MakeEntry(2, 2)}, 1));
  rd = h.Ready();
  EXPECT_EQ(contract::Terms(rd.entries), "[2@2]")
      << "leader 3 (term 2) replaced node 1's entries 2@1 3@1 with 2@2. Those were persisted "
         "already (stabled was 3), so after truncating the log at 2 stabled must drop to 1: "
         "otherwise unstableEntries() hands out nothing, the disk keeps 2@1 3@1, and a restart "
         "brings back entries the node acknowledged as replaced.\n"
      << DescribeReady(rd) << "\n  " << h.Describe();
  contract::Handle(h, rd);
  EXPECT_EQ(h.storage().LastIndex().value(), 2u) << h.Describe();
  EXPECT_EQ(h.storage().Term(2).value(), 2u) << h.Describe();
}

}  // namespace
}  // namespace raft
