// Lab 2C: snapshots through Ready and Advance, with the application acting in between (public
// suite, part of //raft/tests:snapshot_2c_test). The storage of these tests is built the way
// an application builds it — by persisting what each Ready hands out — not by hand; see
// raft/testing/ready_harness.h for the rules every Ready is checked against.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "proto/eraftpb.pb.h"
#include "raft/rawnode.h"
#include "raft/testing/describe.h"
#include "raft/testing/ready_harness.h"
#include "raft/testing/test_raft.h"
#include "raft/util.h"

namespace raft {
namespace {

using eraftpb::Message;
using test::DescribeReady;
using test::ReadyHarness;

// Leader 1 (term 2) sends node 2 its snapshot at index 10 (term 2), membership {1, 2, 3}.
Message SnapshotAt10() {
  Message m = test::MakeMessage(1, 2, eraftpb::MsgSnapshot, 2);
  eraftpb::Snapshot* snap = m.mutable_snapshot();
  snap->set_data("state@10");
  snap->mutable_metadata()->set_index(10);
  snap->mutable_metadata()->set_term(2);
  for (uint64_t id : {1, 2, 3}) snap->mutable_metadata()->mutable_conf_state()->add_nodes(id);
  return m;
}

// Leader 1's append of entries 11.. (term 2) after the snapshot, with its commit index.
Message AppendAfter10(const std::vector<std::string>& data, uint64_t commit) {
  Message m = test::MakeMessage(1, 2, eraftpb::MsgAppend, 2);
  m.set_index(10);
  m.set_log_term(2);
  m.set_commit(commit);
  for (size_t i = 0; i < data.size(); ++i) *m.add_entries() = test::MakeEntry(11 + i, 2, data[i]);
  return m;
}

std::vector<uint64_t> Indexes(const std::vector<eraftpb::Entry>& ents) {
  std::vector<uint64_t> out;
  for (const auto& e : ents) out.push_back(e.index());
  return out;
}

TEST(Raft2C, RestartAfterASnapshotRoundExposesTheRightFirstReady) {
  ReadyHarness h(2, {1, 2, 3});
  h.Step(SnapshotAt10());
  h.Step(AppendAfter10({"a", "b", "c"}, 12));
  const Ready rd = h.Ready();
  ASSERT_EQ(rd.snapshot.metadata().index(), 10u)
      << "node 2 restored leader 1's snapshot at 10: the Ready must hand it out to persist.\n"
      << DescribeReady(rd) << "\n  " << h.Describe();
  ASSERT_EQ(Indexes(rd.entries), (std::vector<uint64_t>{11, 12, 13})) << DescribeReady(rd);
  ASSERT_EQ(Indexes(rd.committed_entries), (std::vector<uint64_t>{11, 12}))
      << "the snapshot covers 1..10; the leader's commit (12) makes 11 and 12 applicable.\n"
      << DescribeReady(rd);
  h.Persist(rd);
  h.Send(rd);
  h.Apply(rd);
  h.Advance(rd);
  EXPECT_TRUE(IsEmptySnap(h.Ready().snapshot)) << "the snapshot was handed out and acknowledged";

  // The leader's heartbeat commits 13; the application persists that, then crashes before
  // applying entry 13.
  Message beat = test::MakeMessage(1, 2, eraftpb::MsgHeartbeat, 2);
  beat.set_commit(13);
  h.Step(beat);
  const Ready commit = h.Ready();
  ASSERT_EQ(Indexes(commit.committed_entries), (std::vector<uint64_t>{13}))
      << DescribeReady(commit) << "\n  " << h.Describe();
  h.Persist(commit);
  h.CrashAndRestart();

  const Ready first = h.Ready();
  EXPECT_TRUE(IsEmptySnap(first.snapshot))
      << "the snapshot in storage was applied before the crash (the state machine is at 12): "
         "a restarted node must not hand it out again.\n"
      << DescribeReady(first) << "\n  " << h.Describe();
  EXPECT_EQ(Indexes(first.committed_entries), (std::vector<uint64_t>{13}))
      << "storage holds the snapshot at 10, entries 11-13 and commit 13; the application "
         "applied up to 12 (Config::applied): only entry 13 is left to apply.\n"
      << DescribeReady(first) << "\n  " << h.Describe();
  EXPECT_TRUE(first.entries.empty()) << "entries 11-13 are in storage already.\n"
                                     << DescribeReady(first);
  EXPECT_TRUE(IsEmptyHardState(first.hard_state)) << DescribeReady(first);
  h.Persist(first);
  h.Send(first);
  h.Apply(first);
  h.Advance(first);
  EXPECT_EQ(h.AppliedData(), (std::vector<std::string>{"a", "b", "c"}))
      << test::DescribeEntriesWithData(h.applied_entries());
  Result<uint64_t> t = h.raft().raft_log.Term(10);
  EXPECT_TRUE(t.ok() && t.value() == 2u)
      << "the restarted log starts after the snapshot; Term(10) comes from it. "
      << (t.ok() ? std::to_string(t.value()) : t.error().ToString());

  h.CrashAndRestart();
  EXPECT_FALSE(h.node().HasReady())
      << "restarted again after everything was applied and acknowledged: nothing to do. "
      << DescribeReady(h.node().Ready());
}

TEST(Raft2C, SnapshotArrivingBetweenReadyAndAdvanceIsHandedOutNext) {
  ReadyHarness h(2, {1, 2, 3});
  Message first = test::MakeMessage(1, 2, eraftpb::MsgAppend, 2);
  *first.add_entries() = test::MakeEntry(1, 2);
  *first.add_entries() = test::MakeEntry(2, 2, "old");
  h.Step(first);
  const Ready rd = h.Ready();
  ASSERT_EQ(Indexes(rd.entries), (std::vector<uint64_t>{1, 2}))
      << DescribeReady(rd) << "\n  " << h.Describe();

  // While the application writes entries 1-2, the leader's snapshot at 10 arrives.
  h.Step(SnapshotAt10());
  h.Persist(rd);
  h.Send(rd);
  h.Apply(rd);
  h.Advance(rd);

  const Ready next = h.Ready();
  EXPECT_EQ(next.snapshot.metadata().index(), 10u)
      << "the snapshot arrived after Ready() and before Advance(rd): rd did not carry it, so "
         "Advance(rd) must not clear it, and the next Ready must hand it out.\n"
      << DescribeReady(next) << "\n  " << h.Describe();
  EXPECT_EQ(next.hard_state.commit(), 10u) << DescribeReady(next);
  h.Persist(next);
  h.Send(next);
  h.Apply(next);
  h.Advance(next);
  EXPECT_EQ(h.applied_index(), 10u) << h.Describe();

  h.Step(AppendAfter10({"new"}, 11));
  h.Settle();
  EXPECT_EQ(h.AppliedData(), (std::vector<std::string>{"new"}))
      << "after the snapshot the node applies what follows it. "
      << test::DescribeEntriesWithData(h.applied_entries()) << "\n  " << h.Describe();
}

// The Ready contract for snapshots (the 2AC scenarios of ready_advance_2ac_test.cc cover term,
// vote, commit and entries): a snapshot from MsgSnapshot is durable state, so it and the
// HardState it implies are in the very next Ready.
TEST(Raft2C, APendingSnapshotIsInTheNextReady) {
  ReadyHarness h(2, {1, 2, 3});
  h.Step(SnapshotAt10());
  const Ready rd = h.Ready();
  EXPECT_EQ(rd.snapshot.metadata().index(), 10u)
      << "node 2 accepted leader 1's snapshot at 10 (term 2): the very next Ready must carry it "
         "in Ready.snapshot (raft_log.pending_snapshot), before the append response that "
         "acknowledges index 10 goes out. A snapshot that never reaches a Ready is lost in a "
         "crash, and the leader already believes node 2 holds everything up to 10.\n"
      << DescribeReady(rd) << "\n  " << h.Describe();
  EXPECT_EQ(rd.hard_state.term(), 2u)
      << "the snapshot's message came in term 2: the Ready must carry HardState{term=2}.\n"
      << DescribeReady(rd);
  EXPECT_EQ(rd.hard_state.commit(), 10u)
      << "a snapshot holds only committed entries: commit moves to 10 and the Ready must carry "
         "HardState{commit=10}.\n"
      << DescribeReady(rd);
  h.Persist(rd);
  h.Send(rd);
  h.Apply(rd);
  h.Advance(rd);
  EXPECT_EQ(h.storage().FirstIndex().value(), 11u) << h.Describe();
}

}  // namespace
}  // namespace raft
