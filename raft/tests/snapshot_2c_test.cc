// Lab 2C, the Raft half: log compaction and snapshots (public suite).
//
// The tests follow the steps of the 2C write-up (docs/lab2c.md): a RaftLog over a compacted
// storage, Term answering ErrCompacted, maybeCompact, sendAppend falling back to sendSnapshot,
// ErrSnapshotTemporarilyUnavailable while a snapshot is generated, the leader moving `next`
// past the snapshot, the follower's handleSnapshot, the snapshot in Ready, and restarts from
// a snapshot. Each step has its own test, so a failure names the step that is missing.

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "proto/eraftpb.pb.h"
#include "raft/memory_storage.h"
#include "raft/raft.h"
#include "raft/raft_log.h"
#include "raft/rawnode.h"
#include "raft/storage.h"
#include "raft/testing/describe.h"
#include "raft/testing/network.h"
#include "raft/testing/test_raft.h"
#include "raft/util.h"
#include "testutil/seed.h"

namespace raft {
namespace {

using test::DescribeMessages;
using test::DescribeNode;
using test::Network;

eraftpb::Snapshot Snap(uint64_t index, uint64_t term, const std::vector<uint64_t>& nodes,
                       const std::string& data = "") {
  eraftpb::Snapshot s;
  s.mutable_metadata()->set_index(index);
  s.mutable_metadata()->set_term(term);
  for (uint64_t n : nodes) s.mutable_metadata()->mutable_conf_state()->add_nodes(n);
  s.set_data(data);
  return s;
}

eraftpb::Message SnapshotMsg(uint64_t from, uint64_t to, uint64_t term,
                             const eraftpb::Snapshot& snap) {
  eraftpb::Message m = test::MakeMessage(from, to, eraftpb::MsgSnapshot, term);
  *m.mutable_snapshot() = snap;
  return m;
}

eraftpb::ConfState Conf(const std::vector<uint64_t>& nodes) {
  eraftpb::ConfState cs;
  for (uint64_t n : nodes) cs.add_nodes(n);
  return cs;
}

std::set<uint64_t> PeerIds(const Raft& r) {
  std::set<uint64_t> ids;
  for (const auto& [id, pr] : r.prs) ids.insert(id);
  return ids;
}

std::string IdsText(const std::set<uint64_t>& ids) {
  std::string out = "{";
  for (uint64_t id : ids) out += (out.size() > 1 ? " " : "") + std::to_string(id);
  return out + "}";
}

std::vector<uint64_t> Indexes(const std::vector<eraftpb::Entry>& ents) {
  std::vector<uint64_t> out;
  for (const auto& e : ents) out.push_back(e.index());
  return out;
}

std::string TermText(const Result<uint64_t>& t) {
  return t.ok() ? "term " + std::to_string(t.value()) : t.error().ToString();
}

// The messages of `msgs` addressed to `to` with type `type`.
std::vector<eraftpb::Message> Only(const std::vector<eraftpb::Message>& msgs, uint64_t to,
                                   eraftpb::MessageType type) {
  std::vector<eraftpb::Message> out;
  for (const auto& m : msgs) {
    if (m.to() == to && m.msg_type() == type) out.push_back(m);
  }
  return out;
}

// A storage that builds snapshots asynchronously, like raftstore's PeerStorage: the first
// `busy` calls to Snapshot() answer ErrSnapshotTemporarilyUnavailable (a RegionTaskGen is
// running on the region worker); later calls return the snapshot. Everything else is the
// MemoryStorage underneath.
class SlowSnapshotStorage : public Storage {
 public:
  SlowSnapshotStorage(MemoryStorage* inner, int busy) : inner_(inner), busy_(busy) {}

  Result<InitialStateResult> InitialState() override { return inner_->InitialState(); }
  Result<std::vector<eraftpb::Entry>> Entries(uint64_t lo, uint64_t hi) override {
    return inner_->Entries(lo, hi);
  }
  Result<uint64_t> Term(uint64_t i) override { return inner_->Term(i); }
  Result<uint64_t> LastIndex() override { return inner_->LastIndex(); }
  Result<uint64_t> FirstIndex() override { return inner_->FirstIndex(); }
  Result<eraftpb::Snapshot> Snapshot() override {
    ++calls;
    if (busy_ > 0) {
      --busy_;
      return Error(ErrSnapshotTemporarilyUnavailable, "the region worker is still generating it");
    }
    return inner_->Snapshot();
  }

  // How many times Raft asked for a snapshot.
  int calls = 0;

 private:
  MemoryStorage* inner_;
  int busy_;
};

// Node 1 of {1, 2, 3} restarted over a storage that compacted its log: a snapshot at index 8
// (term 1, data "state@8"), then entries 9 and 10 (term 1), all committed. It is then made
// leader at term 2, so its log is 9@1 10@1 11@2 (the no-op) and storage answers ErrCompacted
// for the term of anything before 8.
struct CompactedLeader {
  static constexpr uint64_t kSnapIndex = 8;

  explicit CompactedLeader(int busy = 0) : storage(&mem, busy) {
    mem.Append(test::EntriesWithTerms({1, 1, 1, 1, 1, 1, 1, 1, 1, 1}));
    eraftpb::ConfState cs = Conf({1, 2, 3});
    mem.CreateSnapshot(kSnapIndex, &cs, "state@8");
    mem.Compact(kSnapIndex);
    eraftpb::HardState hs;
    hs.set_term(1);
    hs.set_commit(10);
    mem.SetHardState(hs);
    r = test::NewTestRaft(1, {1, 2, 3}, 10, 1, &storage);
    r->becomeCandidate();
    r->becomeLeader();
    test::ReadMessages(*r);
  }

  // Fails the test (fatally) unless the setup produced a leader: everything after relies on it.
  void ExpectLeader() const {
    ASSERT_EQ(r->state, StateType::kLeader)
        << "becomeCandidate() then becomeLeader() must make node 1 the leader (2A): "
        << DescribeNode(*r);
    ASSERT_EQ(r->term, 2u) << "node 1 restarted at term 1 and campaigned once: "
                           << DescribeNode(*r);
  }

  std::string Describe() {
    return DescribeNode(*r) + "\n  storage: snapshot at 8 (term 1), entries 9..10, first index " +
           std::to_string(mem.FirstIndex().value());
  }

  MemoryStorage mem;
  SlowSnapshotStorage storage;
  std::unique_ptr<Raft> r;
};

// What the tests do as the application of a Raft node without RawNode (as TinyKV's tests do):
// persist the unstable entries and apply everything committed.
void PersistAndApply(Raft& r, MemoryStorage& s) {
  s.Append(r.raft_log.unstableEntries());
  r.raft_log.stabled = r.raft_log.LastIndex();
  r.raft_log.applied = r.raft_log.committed;
}

// One Ready round of a RawNode over `s`: persist the snapshot, hard state and entries, then
// Advance. Returns the Ready.
Ready HandleReady(RawNode& n, MemoryStorage& s) {
  Ready rd = n.Ready();
  if (!IsEmptySnap(rd.snapshot)) s.ApplySnapshot(rd.snapshot);
  if (!IsEmptyHardState(rd.hard_state)) s.SetHardState(rd.hard_state);
  s.Append(rd.entries);
  n.Advance(rd);
  return rd;
}

// --- RaftLog over a compacted storage --------------------------------------------------------

TEST(Raft2C, RaftLogOverStorageWithSnapshot) {
  MemoryStorage s;
  ASSERT_FALSE(s.ApplySnapshot(Snap(1000, 1000, {1})));
  RaftLog log(&s);
  EXPECT_EQ(log.LastIndex(), 1000u)
      << "storage holds only a snapshot at 1000: the log's last index is the snapshot's";
  Result<uint64_t> t = log.Term(1000);
  EXPECT_TRUE(t.ok() && t.value() == 1000u)
      << "the term of the snapshot's index is still known (storage keeps it): got " << TermText(t);
  EXPECT_EQ(log.committed, 1000u) << "a snapshot holds only committed state: committed must "
                                     "start at storage's first index - 1";
  EXPECT_EQ(log.applied, 1000u) << "the snapshot is the applied state: applied must start at "
                                   "storage's first index - 1";
  EXPECT_EQ(log.stabled, 1000u);
  EXPECT_TRUE(log.allEntries().empty()) << "got " << DescribeEntries(log.allEntries());
  EXPECT_TRUE(log.unstableEntries().empty()) << "got " << DescribeEntries(log.unstableEntries());
  EXPECT_TRUE(log.nextEnts().empty()) << "got " << DescribeEntries(log.nextEnts());
  EXPECT_EQ(log.Term(999).code(), ErrCompacted) << "got " << TermText(log.Term(999));
  EXPECT_EQ(log.Term(1001).code(), ErrUnavailable) << "got " << TermText(log.Term(1001));
}

TEST(Raft2C, RaftLogOverStorageWhoseFirstIndexIsAboveOne) {
  MemoryStorage s;
  ASSERT_FALSE(s.ApplySnapshot(Snap(5, 2, {1})));
  ASSERT_FALSE(s.Append({test::MakeEntry(6, 2), test::MakeEntry(7, 3), test::MakeEntry(8, 3)}));
  RaftLog log(&s);
  EXPECT_EQ(Indexes(log.allEntries()), (std::vector<uint64_t>{6, 7, 8}))
      << "storage's first index is 6: the log's entries must start there. Got "
      << DescribeEntries(log.allEntries());
  EXPECT_EQ(log.LastIndex(), 8u);
  EXPECT_EQ(log.committed, 5u) << "committed starts at storage's first index - 1";
  EXPECT_EQ(log.applied, 5u) << "applied starts at storage's first index - 1";
  EXPECT_EQ(log.stabled, 8u) << "everything storage holds is stable";
  EXPECT_TRUE(log.unstableEntries().empty()) << DescribeEntries(log.unstableEntries());
  Result<uint64_t> t5 = log.Term(5);
  EXPECT_TRUE(t5.ok() && t5.value() == 2u)
      << "Term(first index - 1) is the compaction point's term, still known: got " << TermText(t5);
  Result<uint64_t> t7 = log.Term(7);
  EXPECT_TRUE(t7.ok() && t7.value() == 3u) << "got " << TermText(t7);
  EXPECT_EQ(log.Term(4).code(), ErrCompacted) << "got " << TermText(log.Term(4));
}

TEST(Raft2C, TermReportsErrCompactedBeforeTheCompactionPoint) {
  std::vector<uint64_t> terms;
  for (uint64_t i = 1; i <= 10; ++i) terms.push_back(i);
  auto s = test::NewStorageWithEntries(test::EntriesWithTerms(terms));
  RaftLog log(s.get());
  log.committed = log.applied = 10;
  ASSERT_FALSE(s->Compact(5));
  log.maybeCompact();

  struct Case {
    uint64_t index;
    ErrorCode code;
  };
  for (const Case& c : std::vector<Case>{{3, ErrCompacted},
                                         {4, ErrCompacted},
                                         {5, ErrorCode::kNone},
                                         {6, ErrorCode::kNone},
                                         {10, ErrorCode::kNone},
                                         {11, ErrUnavailable}}) {
    Result<uint64_t> t = log.Term(c.index);
    EXPECT_EQ(t.code(), c.code)
        << "storage compacted up to 5 (5 is the kept compaction point): Term(" << c.index
        << ") must be " << ErrorName(c.code) << ", got " << TermText(t)
        << ". sendAppend relies on ErrCompacted to know it must send a snapshot.";
    if (t.ok() && c.code == ErrorCode::kNone) {
      EXPECT_EQ(t.value(), c.index) << "Term(" << c.index << ")";
    }
  }
}

TEST(Raft2C, MaybeCompactDropsWhatStorageCompacted) {
  auto s = std::make_unique<MemoryStorage>();
  for (uint64_t i = 1; i <= 1000; ++i) s->Append({test::MakeEntry(i, 1)});
  RaftLog log(s.get());
  log.committed = log.applied = 1000;

  struct Step {
    uint64_t compact;
    size_t left;
  };
  for (const Step& st : std::vector<Step>{{300, 700}, {500, 500}, {800, 200}, {900, 100}}) {
    ASSERT_FALSE(s->Compact(st.compact));
    log.maybeCompact();
    std::vector<eraftpb::Entry> ents = log.allEntries();
    EXPECT_EQ(ents.size(), st.left)
        << "after storage compacted up to " << st.compact
        << ", maybeCompact must drop the in-memory entries up to it, leaving " << st.compact + 1
        << "..1000";
    if (!ents.empty()) {
      EXPECT_EQ(ents.front().index(), st.compact + 1) << "after Compact(" << st.compact << ")";
    }
    EXPECT_EQ(log.LastIndex(), 1000u) << "compaction never changes the last index";
  }
}

TEST(Raft2C, CompactionKeepsTermsAndUnstableEntries) {
  // 750 entries in storage, 250 more only in memory (not persisted yet); term = index.
  auto s = std::make_unique<MemoryStorage>();
  for (uint64_t i = 1; i <= 750; ++i) s->Append({test::MakeEntry(i, i)});
  RaftLog log(s.get());
  for (uint64_t i = 751; i <= 1000; ++i) log.entries.push_back(test::MakeEntry(i, i));
  log.committed = log.applied = 750;

  ASSERT_FALSE(s->Compact(500));
  log.maybeCompact();

  EXPECT_EQ(log.LastIndex(), 1000u) << "compaction must not lose the unstable entries";
  for (uint64_t j = 500; j <= 1000; ++j) {
    Result<uint64_t> t = log.Term(j);
    if (!t.ok() || t.value() != j) {
      ADD_FAILURE() << "Term(" << j << ") after compacting up to 500 must be " << j << ", got "
                    << TermText(t);
      break;
    }
  }
  std::vector<eraftpb::Entry> unstable = log.unstableEntries();
  ASSERT_EQ(unstable.size(), 250u)
      << "entries 751..1000 are still not persisted: compaction of 1..500 must not touch them";
  EXPECT_EQ(unstable.front().index(), 751u);
  EXPECT_EQ(log.stabled, 750u);
}

TEST(Raft2C, TermOfPendingSnapshotIndexIsKnown) {
  MemoryStorage s;
  ASSERT_FALSE(s.ApplySnapshot(Snap(100, 1, {1, 2})));
  eraftpb::HardState hs;
  hs.set_term(1);
  hs.set_commit(100);
  s.SetHardState(hs);
  auto r = test::NewTestRaft(2, {}, 10, 1, &s);
  r->Step(SnapshotMsg(1, 2, 2, Snap(105, 2, {1, 2})));

  EXPECT_EQ(r->raft_log.LastIndex(), 105u)
      << "after restoring a snapshot at 105 the log ends there: " << DescribeNode(*r);
  Result<uint64_t> t = r->raft_log.Term(105);
  EXPECT_TRUE(t.ok() && t.value() == 2u)
      << "the term of the pending snapshot's index comes from its metadata (storage does not "
         "have it yet): got "
      << TermText(t);
  EXPECT_EQ(r->raft_log.Term(106).code(), ErrUnavailable) << TermText(r->raft_log.Term(106));
  EXPECT_FALSE(r->raft_log.Term(104).ok())
      << "entry 104 is covered by the snapshot: its term is not known any more, got "
      << TermText(r->raft_log.Term(104));
}

// --- Leader: sendAppend, sendSnapshot ---------------------------------------------------------

TEST(Raft2C, SendAppendSendsSnapshotWhenPrevEntryIsCompacted) {
  for (uint64_t next : {1, 5, 8}) {
    SCOPED_TRACE("prs[2].next = " + std::to_string(next));
    CompactedLeader l;
    ASSERT_NO_FATAL_FAILURE(l.ExpectLeader());
    l.r->prs[2].next = next;
    l.r->sendAppend(2);
    std::vector<eraftpb::Message> msgs = test::ReadMessages(*l.r);
    std::vector<eraftpb::Message> snaps = Only(msgs, 2, eraftpb::MsgSnapshot);
    ASSERT_EQ(snaps.size(), 1u)
        << "node 2 needs the entries from " << next << " on, so the leader needs the term of "
        << next - 1
        << ", which storage compacted (raft_log.Term answers ErrCompacted). sendAppend must "
           "notice and call sendSnapshot(2), which sends one MsgSnapshot. Sent:\n"
        << DescribeMessages(msgs) << "\n  " << l.Describe();
    const eraftpb::Message& m = snaps[0];
    EXPECT_EQ(m.from(), 1u) << DescribeMessage(m);
    EXPECT_EQ(m.term(), 2u) << "a MsgSnapshot carries the leader's term: " << DescribeMessage(m);
    EXPECT_EQ(m.snapshot().metadata().index(), 8u)
        << "the snapshot to send is storage's (raft_log.storage->Snapshot()): "
        << DescribeMessage(m);
    EXPECT_EQ(m.snapshot().metadata().term(), 1u) << DescribeMessage(m);
    EXPECT_EQ(m.snapshot().data(), "state@8") << "the snapshot's data must be sent unchanged";
    EXPECT_EQ(m.snapshot().metadata().conf_state().nodes_size(), 3) << DescribeMessage(m);
    EXPECT_TRUE(Only(msgs, 2, eraftpb::MsgAppend).empty())
        << "a MsgAppend to node 2 cannot be built (its prev entry is gone). Sent:\n"
        << DescribeMessages(msgs);
  }
}

TEST(Raft2C, SendAppendAtTheCompactionPointStillAppends) {
  CompactedLeader l;
  ASSERT_NO_FATAL_FAILURE(l.ExpectLeader());
  l.r->prs[2].next = 9;
  l.r->sendAppend(2);
  std::vector<eraftpb::Message> msgs = test::ReadMessages(*l.r);
  std::vector<eraftpb::Message> apps = Only(msgs, 2, eraftpb::MsgAppend);
  ASSERT_EQ(apps.size(), 1u)
      << "node 2 needs entries from 9 on; the term of 8 (the compaction point) is still known "
         "from storage, so a plain MsgAppend works and no snapshot is needed. Sent:\n"
      << DescribeMessages(msgs) << "\n  " << l.Describe();
  EXPECT_EQ(apps[0].index(), 8u) << DescribeMessage(apps[0]);
  EXPECT_EQ(apps[0].log_term(), 1u) << DescribeMessage(apps[0]);
  EXPECT_EQ(apps[0].entries_size(), 3) << "entries 9, 10 and 11: " << DescribeMessage(apps[0]);
  EXPECT_TRUE(Only(msgs, 2, eraftpb::MsgSnapshot).empty()) << DescribeMessages(msgs);
}

TEST(Raft2C, ProvideSnapshotOnProposal) {
  // The leader's storage holds a snapshot at 11 and nothing else (TinyKV: TestProvideSnap).
  MemoryStorage s;
  ASSERT_FALSE(s.ApplySnapshot(Snap(11, 11, {1, 2})));
  eraftpb::HardState hs;
  hs.set_term(11);
  hs.set_commit(11);
  s.SetHardState(hs);
  auto r = test::NewTestRaft(1, {}, 10, 1, &s);
  r->becomeCandidate();
  r->becomeLeader();
  test::ReadMessages(*r);
  ASSERT_EQ(r->state, StateType::kLeader) << DescribeNode(*r);

  // Node 2 is behind the snapshot.
  r->prs[2].next = 10;
  r->Step(test::Propose(1, "somedata"));
  std::vector<eraftpb::Message> msgs = test::ReadMessages(*r);
  ASSERT_EQ(msgs.size(), 1u) << "the proposal must go to node 2, whose next (10) is before the "
                                "snapshot: as one MsgSnapshot. Sent:\n"
                             << DescribeMessages(msgs) << "\n  " << DescribeNode(*r);
  EXPECT_EQ(msgs[0].msg_type(), eraftpb::MsgSnapshot) << DescribeMessage(msgs[0]);
  EXPECT_EQ(msgs[0].snapshot().metadata().index(), 11u) << DescribeMessage(msgs[0]);
}

TEST(Raft2C, SendSnapshotIsQuietWhileSnapshotTemporarilyUnavailable) {
  CompactedLeader l(/*busy=*/1000);
  ASSERT_NO_FATAL_FAILURE(l.ExpectLeader());
  l.r->prs[2].next = 5;
  l.r->sendAppend(2);
  std::vector<eraftpb::Message> msgs = test::ReadMessages(*l.r);
  EXPECT_GE(l.storage.calls, 1)
      << "node 2 needs a snapshot: sendSnapshot must ask raft_log.storage->Snapshot() for one";
  EXPECT_TRUE(Only(msgs, 2, eraftpb::MsgSnapshot).empty() &&
              Only(msgs, 2, eraftpb::MsgAppend).empty())
      << "storage answered ErrSnapshotTemporarilyUnavailable (the region worker is still "
         "generating the snapshot): sendSnapshot must return quietly and send nothing to node 2 "
         "— no empty snapshot, no MsgAppend it cannot build. Sent:\n"
      << DescribeMessages(msgs);
  EXPECT_EQ(l.r->state, StateType::kLeader)
      << "ErrSnapshotTemporarilyUnavailable is not a failure: the node stays leader. "
      << l.Describe();
}

TEST(Raft2C, SendSnapshotRetriesOnTheNextHeartbeatResponse) {
  constexpr int kBusy = 2;
  CompactedLeader l(kBusy);
  ASSERT_NO_FATAL_FAILURE(l.ExpectLeader());
  l.r->prs[2].next = 5;
  l.r->sendAppend(2);
  ASSERT_TRUE(Only(test::ReadMessages(*l.r), 2, eraftpb::MsgSnapshot).empty())
      << "the first Snapshot() call answered ErrSnapshotTemporarilyUnavailable";

  // Node 2 keeps answering heartbeats; each answer is a chance to try again.
  std::vector<eraftpb::Message> sent;
  int tries = 0;
  for (; tries < 5; ++tries) {
    l.r->Step(test::MakeMessage(2, 1, eraftpb::MsgHeartbeatResponse, 2));
    std::vector<eraftpb::Message> msgs = test::ReadMessages(*l.r);
    sent.insert(sent.end(), msgs.begin(), msgs.end());
    if (!Only(msgs, 2, eraftpb::MsgSnapshot).empty()) break;
  }
  std::vector<eraftpb::Message> snaps = Only(sent, 2, eraftpb::MsgSnapshot);
  ASSERT_EQ(snaps.size(), 1u)
      << "storage is busy for " << kBusy
      << " Snapshot() calls, then has the snapshot. Node 2 answered 5 heartbeats, each "
         "showing it is still behind (match 0): the leader must try again (sendAppend -> "
         "sendSnapshot) and send the snapshot once storage has it. Snapshot() was called "
      << l.storage.calls << " times. Sent:\n"
      << DescribeMessages(sent) << "\n  " << l.Describe();
  EXPECT_EQ(snaps[0].snapshot().metadata().index(), 8u) << DescribeMessage(snaps[0]);
  EXPECT_GE(l.storage.calls, kBusy + 1);
}

TEST(Raft2C, LeaderMovesNextPastTheSnapshotItSent) {
  CompactedLeader l;
  ASSERT_NO_FATAL_FAILURE(l.ExpectLeader());
  l.r->prs[2].next = 5;
  l.r->sendAppend(2);
  ASSERT_EQ(Only(test::ReadMessages(*l.r), 2, eraftpb::MsgSnapshot).size(), 1u)
      << "sendAppend must send a snapshot to node 2 (see SendAppendSendsSnapshotWhenPrevEntry"
         "IsCompacted). "
      << l.Describe();
  EXPECT_EQ(l.r->prs[2].next, 9u)
      << "after sending a snapshot at 8, the leader must assume it arrives and set "
         "prs[2].next = 8 + 1; otherwise every later sendAppend builds and sends the (large) "
         "snapshot again. "
      << l.Describe();
}

TEST(Raft2C, NoSnapshotResendStorm) {
  CompactedLeader l;
  ASSERT_NO_FATAL_FAILURE(l.ExpectLeader());
  l.r->prs[2].next = 5;
  l.r->sendAppend(2);
  ASSERT_EQ(Only(test::ReadMessages(*l.r), 2, eraftpb::MsgSnapshot).size(), 1u) << l.Describe();

  // Before node 2 answers the snapshot, it answers heartbeats and the leader takes proposals.
  std::vector<eraftpb::Message> sent;
  for (int i = 0; i < 3; ++i) {
    l.r->Step(test::MakeMessage(2, 1, eraftpb::MsgHeartbeatResponse, 2));
    l.r->Step(test::Propose(1, "p" + std::to_string(i)));
    std::vector<eraftpb::Message> msgs = test::ReadMessages(*l.r);
    sent.insert(sent.end(), msgs.begin(), msgs.end());
  }
  EXPECT_TRUE(Only(sent, 2, eraftpb::MsgSnapshot).empty())
      << "the snapshot at 8 is on its way to node 2 (prs[2].next should be 9): later "
         "heartbeat responses and proposals must append after it, not send it again. Sent:\n"
      << DescribeMessages(sent) << "\n  " << l.Describe();
  std::vector<eraftpb::Message> apps = Only(sent, 2, eraftpb::MsgAppend);
  ASSERT_FALSE(apps.empty()) << "the proposals must reach node 2 as MsgAppends. Sent:\n"
                             << DescribeMessages(sent);
  for (const auto& m : apps) {
    EXPECT_GE(m.index(), 8u) << "appends to node 2 must follow the snapshot at 8: "
                             << DescribeMessage(m);
  }
}

// --- Follower: handleSnapshot ----------------------------------------------------------------

TEST(Raft2C, RestoreSnapshot) {
  MemoryStorage s;
  auto r = test::NewTestRaft(1, {1, 2}, 10, 1, &s);
  r->handleSnapshot(SnapshotMsg(2, 1, 0, Snap(11, 11, {1, 2, 3})));
  EXPECT_EQ(r->raft_log.LastIndex(), 11u)
      << "after restoring a snapshot at 11 the log ends at 11: " << DescribeNode(*r);
  Result<uint64_t> t = r->raft_log.Term(11);
  EXPECT_TRUE(t.ok() && t.value() == 11u)
      << "the term of the snapshot's index is the snapshot's term: got " << TermText(t);
  EXPECT_EQ(PeerIds(*r), (std::set<uint64_t>{1, 2, 3}))
      << "the membership comes from the snapshot's conf_state.nodes: prs has "
      << IdsText(PeerIds(*r));
}

TEST(Raft2C, RestoreIgnoresSnapshotBelowCommit) {
  auto s = test::NewStorageWithEntries(test::EntriesWithTerms({1, 1, 1}));
  eraftpb::HardState hs;
  hs.set_term(1);
  hs.set_commit(3);
  s->SetHardState(hs);
  auto r = test::NewTestRaft(1, {1, 2}, 10, 1, s.get());
  r->Step(SnapshotMsg(2, 1, 1, Snap(1, 1, {1, 2})));
  EXPECT_EQ(r->raft_log.committed, 3u)
      << "a snapshot at 1 is older than what node 1 committed (3): it must be ignored, and "
         "committed never goes back. "
      << DescribeNode(*r);
  EXPECT_EQ(r->raft_log.LastIndex(), 3u) << "the log must be left alone: " << DescribeNode(*r);
  EXPECT_TRUE(IsEmptySnap(r->raft_log.pending_snapshot))
      << "an ignored snapshot must not become pending (the application would apply old "
         "state): pending at "
      << r->raft_log.pending_snapshot.metadata().index();
}

TEST(Raft2C, FollowerAnswersAnOldSnapshotWithItsCommit) {
  for (uint64_t index : {2, 3}) {
    SCOPED_TRACE("snapshot at " + std::to_string(index));
    auto s = test::NewStorageWithEntries(test::EntriesWithTerms({1, 1, 1}));
    eraftpb::HardState hs;
    hs.set_term(1);
    hs.set_commit(3);
    s->SetHardState(hs);
    auto r = test::NewTestRaft(1, {1, 2}, 10, 1, s.get());
    r->Step(SnapshotMsg(2, 1, 1, Snap(index, 1, {1, 2})));
    std::vector<eraftpb::Message> msgs = test::ReadMessages(*r);
    std::vector<eraftpb::Message> resp = Only(msgs, 2, eraftpb::MsgAppendResponse);
    ASSERT_EQ(resp.size(), 1u)
        << "node 1 committed up to 3, so a snapshot at " << index
        << " is old news, but the leader must still learn where node 1 is: answer one "
           "MsgAppendResponse carrying the commit index. Sent:\n"
        << DescribeMessages(msgs) << "\n  " << DescribeNode(*r);
    EXPECT_EQ(resp[0].index(), 3u) << DescribeMessage(resp[0]);
    EXPECT_EQ(r->raft_log.committed, 3u) << DescribeNode(*r);
    EXPECT_EQ(r->raft_log.LastIndex(), 3u) << DescribeNode(*r);
  }
}

// A snapshot can arrive late, after appends sent behind it have already given the follower
// the snapshot's last entry and more, which the follower acknowledged. Replacing the log with
// the snapshot would drop acknowledged entries that a majority may have committed on the
// strength of that acknowledgement: a lost write. The follower only moves its commit.
TEST(Raft2C, LateSnapshotTheLogAlreadyHoldsKeepsLaterEntries) {
  auto s = test::NewStorageWithEntries(test::EntriesWithTerms({1, 1, 1, 1, 1}));
  eraftpb::HardState hs;
  hs.set_term(1);
  hs.set_commit(1);
  s->SetHardState(hs);
  auto r = test::NewTestRaft(1, {1, 2}, 10, 1, s.get());
  r->Step(SnapshotMsg(2, 1, 1, Snap(3, 1, {1, 2})));
  EXPECT_EQ(r->raft_log.LastIndex(), 5u)
      << "node 1 already holds 3@1, the snapshot's last entry, and entries 4..5 after it, "
         "which it may have acknowledged: the snapshot must not cut its log back to 3. "
      << DescribeNode(*r);
  EXPECT_EQ(r->raft_log.committed, 3u)
      << "the snapshot proves everything up to 3 is committed: commit moves to 3. "
      << DescribeNode(*r);
  EXPECT_TRUE(IsEmptySnap(r->raft_log.pending_snapshot))
      << "nothing needs restoring: the log already has the snapshot's entries; pending at "
      << r->raft_log.pending_snapshot.metadata().index();
}

TEST(Raft2C, FollowerRestoresLogAndMembershipFromSnapshot) {
  // Node 2 has 1@1 2@1 3@1, committed up to 1; the leader (node 1, term 2) compacted far
  // beyond and sends its snapshot at 11.
  auto s = test::NewStorageWithEntries(test::EntriesWithTerms({1, 1, 1}));
  eraftpb::HardState hs;
  hs.set_term(1);
  hs.set_commit(1);
  s->SetHardState(hs);
  auto r = test::NewTestRaft(2, {1, 2}, 10, 1, s.get());
  r->Step(SnapshotMsg(1, 2, 2, Snap(11, 11, {1, 2, 3}, "state@11")));

  EXPECT_EQ(r->term, 2u) << DescribeNode(*r);
  EXPECT_EQ(r->lead, 1u) << "a snapshot comes from the leader: " << DescribeNode(*r);
  EXPECT_EQ(r->raft_log.LastIndex(), 11u) << DescribeNode(*r);
  EXPECT_TRUE(r->raft_log.allEntries().empty())
      << "the snapshot replaces the whole log: no entry may be left. " << DescribeNode(*r);
  EXPECT_EQ(r->raft_log.committed, 11u)
      << "a snapshot holds only committed state: committed moves to its index. "
      << DescribeNode(*r);
  EXPECT_EQ(r->raft_log.applied, 11u)
      << "the application applies the snapshot itself: applied moves to its index, and no "
         "entry up to 11 may be handed out to apply. "
      << DescribeNode(*r);
  EXPECT_EQ(r->raft_log.stabled, 11u) << DescribeNode(*r);
  EXPECT_TRUE(r->raft_log.nextEnts().empty())
      << "nothing to apply besides the snapshot: " << DescribeEntries(r->raft_log.nextEnts());
  EXPECT_TRUE(r->raft_log.unstableEntries().empty())
      << DescribeEntries(r->raft_log.unstableEntries());
  Result<uint64_t> t = r->raft_log.Term(11);
  EXPECT_TRUE(t.ok() && t.value() == 11u) << "got " << TermText(t);
  EXPECT_EQ(PeerIds(*r), (std::set<uint64_t>{1, 2, 3}))
      << "prs must be rebuilt from the snapshot's conf_state.nodes: got " << IdsText(PeerIds(*r));
  EXPECT_EQ(r->raft_log.pending_snapshot.metadata().index(), 11u)
      << "the snapshot must wait in raft_log.pending_snapshot until the application takes it "
         "from Ready";
  EXPECT_EQ(r->raft_log.pending_snapshot.data(), "state@11");

  std::vector<eraftpb::Message> msgs = test::ReadMessages(*r);
  std::vector<eraftpb::Message> resp = Only(msgs, 1, eraftpb::MsgAppendResponse);
  ASSERT_EQ(resp.size(), 1u)
      << "node 2 must tell the leader it now has everything up to 11 (a MsgAppendResponse), "
         "so the leader moves match and next on. Sent:\n"
      << DescribeMessages(msgs);
  EXPECT_EQ(resp[0].index(), 11u) << DescribeMessage(resp[0]);
  EXPECT_FALSE(resp[0].reject()) << DescribeMessage(resp[0]);
}

TEST(Raft2C, RestoreFromSnapshotMessage) {
  MemoryStorage s;
  auto r = test::NewTestRaft(2, {1, 2}, 10, 1, &s);
  r->Step(SnapshotMsg(1, 2, 2, Snap(11, 11, {1, 2})));
  EXPECT_EQ(r->lead, 1u) << "a MsgSnapshot comes from the leader of its term: " << DescribeNode(*r);
  EXPECT_EQ(r->term, 2u) << DescribeNode(*r);
  EXPECT_EQ(r->raft_log.LastIndex(), 11u) << DescribeNode(*r);
}

TEST(Raft2C, RestoreFromSnapshotWithOverlappingPeers) {
  MemoryStorage s;
  auto r = test::NewTestRaft(2, {1, 2, 3}, 10, 1, &s);
  r->Step(SnapshotMsg(1, 2, 2, Snap(11, 11, {2, 3, 4})));
  EXPECT_EQ(r->lead, 1u) << DescribeNode(*r);
  EXPECT_EQ(PeerIds(*r), (std::set<uint64_t>{2, 3, 4}))
      << "the snapshot's membership {2 3 4} replaces the old one {1 2 3}: prs has "
      << IdsText(PeerIds(*r));
}

TEST(Raft2C, FollowerAppendsAfterSnapshot) {
  MemoryStorage s;
  auto r = test::NewTestRaft(2, {1, 2}, 10, 1, &s);
  r->Step(SnapshotMsg(1, 2, 2, Snap(11, 11, {1, 2})));
  test::ReadMessages(*r);

  eraftpb::Message app = test::MakeMessage(1, 2, eraftpb::MsgAppend, 2);
  app.set_index(11);
  app.set_log_term(11);
  app.set_commit(12);
  *app.add_entries() = test::MakeEntry(12, 2, "after");
  r->Step(app);
  std::vector<eraftpb::Message> msgs = test::ReadMessages(*r);
  std::vector<eraftpb::Message> resp = Only(msgs, 1, eraftpb::MsgAppendResponse);
  ASSERT_EQ(resp.size(), 1u) << DescribeMessages(msgs);
  EXPECT_FALSE(resp[0].reject())
      << "the leader's entry 12 follows 11@11, which node 2 has (the snapshot's index and "
         "term): the append must match and be accepted. "
      << DescribeMessage(resp[0]) << "\n  " << DescribeNode(*r);
  EXPECT_EQ(resp[0].index(), 12u) << DescribeMessage(resp[0]);
  EXPECT_EQ(r->raft_log.LastIndex(), 12u) << DescribeNode(*r);
  EXPECT_EQ(r->raft_log.committed, 12u) << DescribeNode(*r);
}

// --- RawNode: the snapshot in Ready, restarts ---------------------------------------------

TEST(Raft2C, ReadyCarriesPendingSnapshotUntilAdvance) {
  MemoryStorage s;
  RawNode n(test::NewTestConfig(2, {1, 2}, 10, 1, &s));
  n.Step(SnapshotMsg(1, 2, 2, Snap(11, 11, {1, 2}, "state@11")));

  ASSERT_TRUE(n.HasReady()) << "a restored snapshot is work for the application";
  Ready rd = n.Ready();
  ASSERT_EQ(rd.snapshot.metadata().index(), 11u)
      << "Ready.snapshot must carry the pending snapshot for the application to persist and "
         "apply. "
      << DescribeNode(*n.raft);
  EXPECT_EQ(rd.snapshot.data(), "state@11");
  EXPECT_TRUE(rd.committed_entries.empty())
      << "the snapshot covers everything up to 11: no entry may be handed out to apply, got "
      << DescribeEntries(rd.committed_entries);
  EXPECT_TRUE(rd.entries.empty()) << DescribeEntries(rd.entries);
  EXPECT_EQ(rd.hard_state.commit(), 11u)
      << "the commit index moved to 11 and must be persisted: " << DescribeHardState(rd.hard_state);
  EXPECT_EQ(n.Ready().snapshot.metadata().index(), 11u)
      << "Ready() called again before Advance must still report the snapshot";

  s.ApplySnapshot(rd.snapshot);
  s.SetHardState(rd.hard_state);
  n.Advance(rd);
  EXPECT_TRUE(IsEmptySnap(n.raft->raft_log.pending_snapshot))
      << "the application persisted and applied the snapshot and called Advance: "
         "pending_snapshot must be cleared";
  EXPECT_TRUE(IsEmptySnap(n.Ready().snapshot)) << "the snapshot must not be handed out twice";
  EXPECT_FALSE(n.HasReady()) << "nothing is left after Advance: " << DescribeNode(*n.raft);

  // The leader continues after the snapshot.
  eraftpb::Message app = test::MakeMessage(1, 2, eraftpb::MsgAppend, 2);
  app.set_index(11);
  app.set_log_term(11);
  app.set_commit(12);
  *app.add_entries() = test::MakeEntry(12, 2, "after");
  n.Step(app);
  rd = HandleReady(n, s);
  EXPECT_EQ(Indexes(rd.entries), (std::vector<uint64_t>{12})) << DescribeNode(*n.raft);
  EXPECT_EQ(Indexes(rd.committed_entries), (std::vector<uint64_t>{12}))
      << "committed entries after a snapshot start right after it: " << DescribeNode(*n.raft);
}

TEST(Raft2C, RawNodeRestartFromSnapshot) {
  MemoryStorage s;
  eraftpb::HardState hs;
  hs.set_term(1);
  hs.set_commit(3);
  s.SetHardState(hs);
  ASSERT_FALSE(s.ApplySnapshot(Snap(2, 1, {1, 2})));
  ASSERT_FALSE(s.Append({test::MakeEntry(3, 1, "foo")}));

  RawNode n(test::NewTestConfig(1, {}, 10, 1, &s));
  Ready rd = n.Ready();
  EXPECT_EQ(Indexes(rd.committed_entries), (std::vector<uint64_t>{3}))
      << "storage holds a snapshot at 2 and entry 3, committed: the restarted node must hand "
         "out entry 3 (and only it: 1 and 2 are in the snapshot, already applied). "
      << DescribeNode(*n.raft);
  EXPECT_TRUE(rd.entries.empty()) << "entry 3 came from storage; it is persisted already: "
                                  << DescribeEntries(rd.entries);
  EXPECT_TRUE(IsEmptyHardState(rd.hard_state)) << DescribeHardState(rd.hard_state);
  EXPECT_FALSE(rd.soft_state.has_value());
  EXPECT_TRUE(IsEmptySnap(rd.snapshot))
      << "the snapshot in storage was applied before the restart: it is not pending";
  EXPECT_TRUE(rd.messages.empty()) << DescribeMessages(rd.messages);
  n.Advance(rd);
  EXPECT_FALSE(n.HasReady()) << DescribeNode(*n.raft);

  EXPECT_EQ(PeerIds(*n.raft), (std::set<uint64_t>{1, 2}))
      << "Config::peers is empty: the membership comes from storage's ConfState (the "
         "snapshot's). prs has "
      << IdsText(PeerIds(*n.raft));
  EXPECT_EQ(n.raft->raft_log.LastIndex(), 3u) << DescribeNode(*n.raft);
  Result<uint64_t> t = n.raft->raft_log.Term(2);
  EXPECT_TRUE(t.ok() && t.value() == 1u) << "Term(2), the snapshot's index: " << TermText(t);
}

TEST(Raft2C, RawNodeRestartFromSnapshotSkipsApplied) {
  MemoryStorage s;
  eraftpb::HardState hs;
  hs.set_term(2);
  hs.set_commit(9);
  s.SetHardState(hs);
  ASSERT_FALSE(s.ApplySnapshot(Snap(5, 2, {1})));
  ASSERT_FALSE(s.Append(test::EntriesWithTerms({2, 2, 2, 2}, 6)));

  Config c = test::NewTestConfig(1, {}, 10, 1, &s);
  c.applied = 7;
  RawNode n(c);
  EXPECT_EQ(Indexes(n.Ready().committed_entries), (std::vector<uint64_t>{8, 9}))
      << "snapshot at 5, entries 6..9 committed, the application applied up to 7 "
         "(Config::applied): only 8 and 9 are left to apply. "
      << DescribeNode(*n.raft);
}

TEST(Raft2C, AdvanceDropsEntriesTheApplicationCompacted) {
  MemoryStorage s;
  RawNode n(test::NewTestConfig(1, {1}, 10, 1, &s));
  n.Campaign();
  HandleReady(n, s);
  for (int i = 0; i < 5; ++i) {
    n.Propose("v" + std::to_string(i));
    HandleReady(n, s);
  }
  ASSERT_EQ(n.raft->raft_log.applied, 6u)
      << "a single-node leader with the no-op and 5 proposals, all handled: "
      << DescribeNode(*n.raft);

  // The application (raftstore's raftlog-gc worker) compacts storage up to 4.
  eraftpb::ConfState cs = Conf({1});
  ASSERT_TRUE(s.CreateSnapshot(4, &cs, "").ok());
  ASSERT_FALSE(s.Compact(4));
  n.Propose("after");
  HandleReady(n, s);

  std::vector<eraftpb::Entry> ents = n.raft->raft_log.allEntries();
  ASSERT_FALSE(ents.empty()) << DescribeNode(*n.raft);
  EXPECT_EQ(ents.front().index(), 5u)
      << "storage compacted up to 4; Advance must call raft_log.maybeCompact() so that the "
         "in-memory log drops 1..4 too (else memory grows forever and the leader never sees "
         "ErrCompacted). Log: "
      << DescribeEntries(ents);
  EXPECT_EQ(n.raft->raft_log.Term(3).code(), ErrCompacted) << TermText(n.raft->raft_log.Term(3));
  EXPECT_EQ(n.raft->raft_log.LastIndex(), 7u) << DescribeNode(*n.raft);
}

// --- Whole groups ---------------------------------------------------------------------------

TEST(Raft2C, SlowNodeRestore) {
  Network nt(3, testutil::TestSeed());
  nt.Send(test::Hup(1));
  Raft& lead = nt.node(1);
  ASSERT_EQ(lead.state, StateType::kLeader) << DescribeNode(lead) << "\n" << nt.RecentTrace();

  nt.Isolate(3);
  for (int i = 0; i <= 100; ++i) nt.Send(test::Propose(1, "x"));
  PersistAndApply(lead, *nt.storage(1));
  eraftpb::ConfState cs = Conf({1, 2, 3});
  ASSERT_TRUE(nt.storage(1)->CreateSnapshot(lead.raft_log.applied, &cs, "").ok())
      << DescribeNode(lead);
  ASSERT_FALSE(nt.storage(1)->Compact(lead.raft_log.applied));
  nt.Recover();

  // Heartbeats let the leader hear from node 3 again; the proposals bring it up to date and
  // then commit something new.
  nt.Send(test::Beat(1));
  nt.Send(test::Propose(1, "y"));
  nt.Send(test::Propose(1, "z"));
  Raft& follower = nt.node(3);
  EXPECT_EQ(follower.raft_log.committed, lead.raft_log.committed)
      << "node 3 was cut off while the leader committed (and compacted) 100 entries; after "
         "the network healed it must catch up and commit what the leader committed.\n  "
      << DescribeNode(lead) << "\n  " << DescribeNode(follower) << "\n"
      << nt.RecentTrace();
}

TEST(Raft2C, LaggingFollowerCatchesUpThroughOneSnapshot) {
  Network nt(3, testutil::TestSeed());
  nt.Send(test::Hup(1));
  Raft& lead = nt.node(1);
  ASSERT_EQ(lead.state, StateType::kLeader) << DescribeNode(lead) << "\n" << nt.RecentTrace();

  nt.Isolate(3);
  for (int i = 0; i < 20; ++i) nt.Send(test::Propose(1, "v" + std::to_string(i)));
  PersistAndApply(lead, *nt.storage(1));
  const uint64_t compact = lead.raft_log.applied;
  ASSERT_EQ(compact, 21u) << "the no-op and 20 proposals committed by nodes 1 and 2: "
                          << DescribeNode(lead);
  eraftpb::ConfState cs = Conf({1, 2, 3});
  ASSERT_TRUE(nt.storage(1)->CreateSnapshot(compact, &cs, "state").ok());
  ASSERT_FALSE(nt.storage(1)->Compact(compact));
  lead.raft_log.maybeCompact();  // what RawNode::Advance does after the application compacted
  nt.Recover();

  int snapshots = 0;
  nt.SetHook([&](const eraftpb::Message& m) {
    if (m.msg_type() == eraftpb::MsgSnapshot && m.to() == 3) ++snapshots;
    return std::vector<eraftpb::Message>{m};
  });
  nt.Send(test::Beat(1));
  nt.Send(test::Propose(1, "after"));
  nt.Send(test::Beat(1));

  Raft& follower = nt.node(3);
  EXPECT_EQ(snapshots, 1)
      << "node 3 needs entry 2 onwards and the leader compacted up to " << compact
      << ": exactly one MsgSnapshot must go to node 3 (none means sendAppend did not notice "
         "ErrCompacted; more means next was not moved past the snapshot).\n"
      << nt.RecentTrace();
  EXPECT_EQ(follower.raft_log.committed, lead.raft_log.committed)
      << DescribeNode(lead) << "\n  " << DescribeNode(follower) << "\n"
      << nt.RecentTrace();
  EXPECT_EQ(follower.raft_log.LastIndex(), lead.raft_log.LastIndex())
      << DescribeNode(lead) << "\n  " << DescribeNode(follower);
  Result<uint64_t> lt = lead.raft_log.Term(lead.raft_log.LastIndex());
  Result<uint64_t> ft = follower.raft_log.Term(follower.raft_log.LastIndex());
  EXPECT_TRUE(lt.ok() && ft.ok() && lt.value() == ft.value())
      << "leader's last term " << TermText(lt) << ", node 3's " << TermText(ft);
}

// A MsgSnapshot held up in the network (or delivered twice) arrives after the follower has
// restored it and moved on: it is below the follower's commit index and must be ignored, not
// restored again (which would throw away the entries that came after it).
TEST(Raft2C, LateDuplicateSnapshotIsIgnored) {
  Network nt(3, testutil::TestSeed());
  nt.Send(test::Hup(1));
  Raft& lead = nt.node(1);
  ASSERT_EQ(lead.state, StateType::kLeader) << DescribeNode(lead) << "\n" << nt.RecentTrace();

  nt.Isolate(3);
  for (int i = 0; i < 10; ++i) nt.Send(test::Propose(1, "v" + std::to_string(i)));
  PersistAndApply(lead, *nt.storage(1));
  const uint64_t compact = lead.raft_log.applied;
  eraftpb::ConfState cs = Conf({1, 2, 3});
  ASSERT_TRUE(nt.storage(1)->CreateSnapshot(compact, &cs, "state").ok()) << DescribeNode(lead);
  ASSERT_FALSE(nt.storage(1)->Compact(compact));
  lead.raft_log.maybeCompact();
  nt.Recover();

  // Node 3 answers a heartbeat; the leader's answer (the snapshot) is held up.
  nt.HoldBack(1, 3, 1.0);
  nt.Send(test::MakeMessage(3, 1, eraftpb::MsgHeartbeatResponse, lead.term));
  std::vector<eraftpb::Message> held = nt.TakeHeld();
  ASSERT_EQ(held.size(), 1u) << "node 3 lacks entries the leader compacted: the leader must "
                                "answer its heartbeat response with one MsgSnapshot\n"
                             << nt.RecentTrace();
  ASSERT_EQ(held[0].msg_type(), eraftpb::MsgSnapshot) << DescribeMessage(held[0]);
  nt.Recover();

  // It arrives once; node 3 restores it, then catches up with two more proposals.
  nt.Send(held[0]);
  nt.Send(test::Propose(1, "after1"));
  nt.Send(test::Propose(1, "after2"));
  Raft& follower = nt.node(3);
  ASSERT_EQ(follower.raft_log.committed, lead.raft_log.committed)
      << DescribeNode(lead) << "\n  " << DescribeNode(follower) << "\n"
      << nt.RecentTrace();
  ASSERT_GT(follower.raft_log.committed, compact) << DescribeNode(follower);
  const std::string before = DescribeNode(follower);

  // Then the same snapshot arrives again, late.
  nt.Send(held[0]);
  EXPECT_EQ(follower.raft_log.committed, lead.raft_log.committed)
      << "a snapshot at index " << compact << " is older than node 3's commit index; "
      << "restoring it would move the commit index back. Before: " << before
      << "\n  after: " << DescribeNode(follower) << "\n"
      << nt.RecentTrace(10);
  EXPECT_EQ(follower.raft_log.LastIndex(), lead.raft_log.LastIndex())
      << "a stale snapshot must not throw away the entries after it. Before: " << before
      << "\n  after: " << DescribeNode(follower) << "\n"
      << nt.RecentTrace(10);
}

}  // namespace
}  // namespace raft
