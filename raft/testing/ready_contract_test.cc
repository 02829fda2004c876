// Tests of the Ready contract audit itself (raft/testing/ready_contract.h), part of the ungraded
// //raft/testing:network_test: they build both sides of the comparison by hand, so they need no
// Raft implementation and pass on the student stubs as well as on the reference.

#include "raft/testing/ready_contract.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "proto/eraftpb.pb.h"
#include "raft/memory_storage.h"
#include "raft/rawnode.h"
#include "raft/testing/test_raft.h"

namespace raft::test {
namespace {

eraftpb::HardState Hs(uint64_t term, uint64_t vote, uint64_t commit) {
  eraftpb::HardState hs;
  hs.set_term(term);
  hs.set_vote(vote);
  hs.set_commit(commit);
  return hs;
}

// A side holding HardState hs and entries 1..n with the given terms.
DurableState Side(const eraftpb::HardState& hs, const std::vector<uint64_t>& terms) {
  DurableState s;
  s.hard_state = hs;
  s.first = 0;
  s.last = terms.size();
  s.terms.push_back(0);
  s.terms.insert(s.terms.end(), terms.begin(), terms.end());
  return s;
}

std::string Fields(const std::vector<Breach>& bs) {
  std::string out;
  for (const Breach& b : bs) out += (out.empty() ? "" : ",") + b.field;
  return out;
}

TEST(ReadyContract, EqualSidesHaveNoBreach) {
  const DurableState s = Side(Hs(3, 2, 2), {1, 1, 3});
  EXPECT_TRUE(CompareDurable(1, s, s, AuditPoint::kReadyHandled).empty());
}

TEST(ReadyContract, EachHardStateFieldIsNamed) {
  const DurableState disk = Side(Hs(5, 0, 1), {1});
  std::vector<Breach> b =
      CompareDurable(1, Side(Hs(5, 3, 1), {1}), disk, AuditPoint::kReadyHandled);
  ASSERT_EQ(Fields(b), "HardState.vote");
  EXPECT_NE(b[0].explanation.find("did not carry HardState{vote=3}"), std::string::npos)
      << b[0].explanation;
  EXPECT_NE(b[0].explanation.find("vote twice in term 5"), std::string::npos) << b[0].explanation;
  b = CompareDurable(1, Side(Hs(6, 0, 1), {1}), disk, AuditPoint::kReadyHandled);
  ASSERT_EQ(Fields(b), "HardState.term");
  b = CompareDurable(1, Side(Hs(5, 0, 2), {1}), Side(Hs(5, 0, 1), {1}), AuditPoint::kReadyHandled);
  ASSERT_EQ(Fields(b), "HardState.commit");
  b = CompareDurable(1, Side(Hs(5, 0, 1), {1}), Side(Hs(5, 2, 1), {1}), AuditPoint::kRestarted);
  ASSERT_EQ(Fields(b), "HardState.vote");
  EXPECT_NE(b[0].explanation.find("InitialState"), std::string::npos) << b[0].explanation;
}

TEST(ReadyContract, LogDifferencesAreNamedEntries) {
  const eraftpb::HardState hs = Hs(2, 0, 1);
  // Replaced in memory, old entry still on disk (stabled not lowered).
  std::vector<Breach> b =
      CompareDurable(1, Side(hs, {1, 2}), Side(hs, {1, 1, 1}), AuditPoint::kReadyHandled);
  ASSERT_EQ(Fields(b), "entries");
  EXPECT_EQ(b[0].index, 2u);
  EXPECT_NE(b[0].explanation.find("stabled must drop"), std::string::npos) << b[0].explanation;
  // New entries in memory only.
  b = CompareDurable(1, Side(hs, {1, 1, 2}), Side(hs, {1}), AuditPoint::kAfterAdvance);
  ASSERT_EQ(Fields(b), "entries");
  EXPECT_EQ(b[0].index, 2u);
  // Entries on disk that memory dropped.
  b = CompareDurable(1, Side(hs, {1}), Side(hs, {1, 1}), AuditPoint::kReadyHandled);
  ASSERT_EQ(Fields(b), "entries");
}

TEST(ReadyContract, SnapshotsThatNeverReachTheDiskAreNamedSnapshot) {
  const eraftpb::HardState hs = Hs(2, 0, 10);
  DurableState mem = Side(hs, {});
  mem.snapshot_index = 10;
  mem.snapshot_term = 2;
  mem.first = mem.last = 10;
  mem.terms = {2};
  std::vector<Breach> b = CompareDurable(1, mem, Side(hs, {}), AuditPoint::kReadyHandled);
  ASSERT_FALSE(b.empty());
  EXPECT_EQ(b[0].field, "snapshot");
  // The log moved to 10 in memory, no entry and no pending snapshot there.
  mem.snapshot_index = 0;
  mem.terms = {0};
  b = CompareDurable(1, mem, Side(hs, {}), AuditPoint::kReadyHandled);
  ASSERT_EQ(Fields(b), "snapshot");
  EXPECT_NE(b[0].explanation.find("pending_snapshot"), std::string::npos) << b[0].explanation;
}

TEST(ReadyContract, WithReadyIsWhatMemoryStorageHoldsAfterPersisting) {
  // Disk: entries 1@1 2@1 3@1, HardState term 1. The Ready replaces 3 by 3@2 4@2.
  auto storage = NewStorageWithEntries(EntriesWithTerms({1, 1, 1}));
  storage->SetHardState(Hs(1, 0, 2));
  Ready rd;
  rd.hard_state = Hs(2, 0, 3);
  rd.entries = {MakeEntry(3, 2), MakeEntry(4, 2)};
  const DurableState predicted = WithReady(OnDisk(*storage), rd);
  storage->SetHardState(rd.hard_state);
  ASSERT_FALSE(storage->Append(rd.entries));
  const DurableState actual = OnDisk(*storage);
  EXPECT_EQ(predicted.ToString(), actual.ToString());
  EXPECT_TRUE(CompareDurable(1, predicted, actual, AuditPoint::kAfterAdvance).empty());

  // A snapshot replaces the log.
  Ready snap;
  snap.snapshot.mutable_metadata()->set_index(10);
  snap.snapshot.mutable_metadata()->set_term(3);
  const DurableState after = WithReady(actual, snap);
  ASSERT_FALSE(storage->ApplySnapshot(snap.snapshot));
  EXPECT_EQ(after.ToString(), OnDisk(*storage).ToString());
}

TEST(ReadyContract, MessagesMustBeJustifiedByTheDisk) {
  const DurableState disk = Side(Hs(5, 0, 1), {1, 1});
  eraftpb::Message grant = MakeMessage(1, 3, eraftpb::MsgRequestVoteResponse, 5);
  std::vector<Breach> b = AuditSends(1, {grant}, disk);
  ASSERT_EQ(Fields(b), "message");
  EXPECT_NE(b[0].explanation.find("granting its vote to 3 in term 5"), std::string::npos)
      << b[0].explanation;
  EXPECT_TRUE(AuditSends(1, {grant}, Side(Hs(5, 3, 1), {1, 1})).empty());
  grant.set_reject(true);
  EXPECT_TRUE(AuditSends(1, {grant}, disk).empty()) << "a refusal promises nothing";

  EXPECT_EQ(Fields(AuditSends(1, {MakeMessage(1, 2, eraftpb::MsgRequestVote, 5)}, disk)), "message")
      << "a campaign in term 5 needs the vote for itself on disk";
  eraftpb::Message ack = MakeMessage(1, 2, eraftpb::MsgAppendResponse, 5);
  ack.set_index(3);
  EXPECT_EQ(Fields(AuditSends(1, {ack}, disk)), "message") << "entry 3 is not on disk";
  ack.set_index(2);
  EXPECT_TRUE(AuditSends(1, {ack}, disk).empty());
  EXPECT_EQ(Fields(AuditSends(1, {MakeMessage(1, 2, eraftpb::MsgHeartbeatResponse, 6)}, disk)),
            "message")
      << "term 6 is not on disk";
  EXPECT_TRUE(AuditSends(1, {MakeMessage(1, 2, eraftpb::MsgHeartbeatResponse, 4)}, disk).empty());
}

TEST(ReadyContract, AppliedEntriesMustBeDurableAndCommittedOnDisk) {
  const DurableState disk = Side(Hs(2, 0, 2), {1, 2, 2});
  EXPECT_TRUE(AuditApplies(1, {MakeEntry(1, 1), MakeEntry(2, 2)}, disk).empty());
  EXPECT_EQ(Fields(AuditApplies(1, {MakeEntry(3, 2)}, disk)), "committed_entries")
      << "entry 3 is on disk but the commit on disk is 2";
  EXPECT_EQ(Fields(AuditApplies(1, {MakeEntry(2, 1)}, disk)), "committed_entries")
      << "entry 2@1 is not what the disk holds";
}

TEST(ReadyContract, TheMessageNamesNodeFieldStepAndReplay) {
  const std::vector<Breach> b =
      CompareDurable(3, Side(Hs(5, 2, 0), {}), Side(Hs(5, 0, 0), {}), AuditPoint::kReadyHandled);
  ASSERT_EQ(b.size(), 1u);
  const std::string text = FormatBreach(3, b[0], "step 17", "bazel test //x --test_env=Y");
  for (const char* want : {"node 3", "field HardState.vote", "after step 17", "vote=2",
                           "a restart would load: HardState{term=5 vote=0 commit=0}",
                           "replay: bazel test //x --test_env=Y"}) {
    EXPECT_NE(text.find(want), std::string::npos) << "missing \"" << want << "\" in\n" << text;
  }
}

}  // namespace
}  // namespace raft::test
