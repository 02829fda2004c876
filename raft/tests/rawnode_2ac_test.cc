// Lab 2AC: RawNode and Ready (public suite).
//
// An application drives a node in rounds: it asks Ready() what to do, persists the entries
// and hard state, sends the messages, applies the committed entries, and acknowledges with
// Advance(rd). These tests play the application (a MemoryStorage is its disk) and check what
// each Ready reports: only what changed, nothing twice, nothing lost, and a restarted node
// resuming exactly where its storage left off.

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "proto/eraftpb.pb.h"
#include "raft/memory_storage.h"
#include "raft/rawnode.h"
#include "raft/testing/describe.h"
#include "raft/testing/test_raft.h"
#include "raft/util.h"

namespace raft {
namespace {

// "[1@1 2@1:"foo" 3@1(conf)]": entries with their payloads, so a Ready's contents can be
// compared as text.
std::string EntriesText(const std::vector<eraftpb::Entry>& ents) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < ents.size(); ++i) {
    if (i > 0) os << " ";
    os << ents[i].index() << "@" << ents[i].term();
    if (ents[i].entry_type() == eraftpb::EntryConfChange) os << "(conf)";
    if (!ents[i].data().empty()) os << ":\"" << ents[i].data() << "\"";
  }
  os << "]";
  return os.str();
}

// Everything a Ready holds, one field per line: for failure messages and for comparing two
// Readys.
std::string DescribeReady(const Ready& rd) {
  std::ostringstream os;
  os << "  soft_state: ";
  if (rd.soft_state) {
    os << "{lead=" << rd.soft_state->lead << " " << StateName(rd.soft_state->raft_state) << "}";
  } else {
    os << "(unchanged)";
  }
  os << "\n  hard_state: "
     << (IsEmptyHardState(rd.hard_state) ? "(empty)" : DescribeHardState(rd.hard_state));
  os << "\n  entries: " << EntriesText(rd.entries);
  os << "\n  snapshot: ";
  if (IsEmptySnap(rd.snapshot)) {
    os << "(none)";
  } else {
    os << rd.snapshot.metadata().index() << "@" << rd.snapshot.metadata().term();
  }
  os << "\n  committed_entries: " << EntriesText(rd.committed_entries);
  os << "\n  messages:\n" << test::DescribeMessages(rd.messages);
  for (const auto& m : rd.messages) {
    // DescribeMessage leaves out payloads; two Readys must agree on those too.
    for (const auto& e : m.entries()) os << "\n    payload " << e.index() << ":" << e.data();
  }
  return os.str();
}

// A RawNode and the application around it: `storage` is the application's disk.
class App {
 public:
  App(uint64_t id, const std::vector<uint64_t>& peers, uint64_t applied = 0)
      : storage_(std::make_unique<MemoryStorage>()) {
    Start(id, peers, applied);
  }
  // An application restarting over a storage that already holds state.
  App(uint64_t id, std::unique_ptr<MemoryStorage> storage, uint64_t applied = 0)
      : storage_(std::move(storage)) {
    Start(id, {}, applied);
  }

  RawNode& node() { return *node_; }
  Raft& raft() { return *node_->raft; }
  MemoryStorage& storage() { return *storage_; }
  // The entries this application applied, in order.
  const std::vector<eraftpb::Entry>& applied() const { return applied_; }

  // What the application must do before sending a Ready's messages: persist its snapshot,
  // hard state and entries.
  void Persist(const Ready& rd) {
    if (!IsEmptySnap(rd.snapshot)) storage_->ApplySnapshot(rd.snapshot);
    if (!IsEmptyHardState(rd.hard_state)) storage_->SetHardState(rd.hard_state);
    if (Error err = storage_->Append(rd.entries)) {
      ADD_FAILURE() << "the application could not persist the Ready's entries "
                    << EntriesText(rd.entries) << ": " << err.ToString()
                    << "\n  Ready.entries must continue what the node already handed out.";
    }
  }

  // One full round: Ready, persist, apply, Advance. Returns the Ready it handled.
  Ready Round() {
    Ready rd = node_->Ready();
    Persist(rd);
    applied_.insert(applied_.end(), rd.committed_entries.begin(), rd.committed_entries.end());
    node_->Advance(rd);
    return rd;
  }

  // Rounds until HasReady() is false (at most `max` of them, so a node that always has
  // something to report cannot hang the test). Returns the messages the rounds produced.
  std::vector<eraftpb::Message> Settle(int max = 10) {
    std::vector<eraftpb::Message> sent;
    for (int i = 0; i < max && node_->HasReady(); ++i) {
      Ready rd = Round();
      sent.insert(sent.end(), rd.messages.begin(), rd.messages.end());
    }
    return sent;
  }

  std::string Describe() { return test::DescribeNode(raft()); }

 private:
  void Start(uint64_t id, const std::vector<uint64_t>& peers, uint64_t applied) {
    Config c = test::NewTestConfig(id, peers, 10, 1, storage_.get());
    c.applied = applied;
    node_ = std::make_unique<RawNode>(c);
  }

  std::unique_ptr<MemoryStorage> storage_;
  std::unique_ptr<RawNode> node_;
  std::vector<eraftpb::Entry> applied_;
};

eraftpb::Message VoteFrom(uint64_t from, uint64_t term) {
  eraftpb::Message m = test::MakeMessage(from, 1, eraftpb::MsgRequestVoteResponse, term);
  return m;
}

eraftpb::Message AppendAck(uint64_t from, uint64_t term, uint64_t index) {
  eraftpb::Message m = test::MakeMessage(from, 1, eraftpb::MsgAppendResponse, term);
  m.set_index(index);
  return m;
}

// Node 1 of {1, 2, 3} campaigns and wins with node 2's vote; nothing is Advanced yet.
void ElectNodeOne(App& app) {
  app.node().Campaign();
  app.node().Step(VoteFrom(2, 1));
}

// ElectNodeOne, then every Ready handled: the leader at term 1 with its no-op (index 1)
// persisted but not committed (no follower answered the append yet).
void ElectAndSettle(App& app) {
  ElectNodeOne(app);
  app.Settle();
  ASSERT_EQ(app.raft().state, StateType::kLeader)
      << "node 1 campaigned and got node 2's vote (a majority of 3 with its own): it must "
         "lead.\n  "
      << app.Describe();
}

// --- Starting, proposing, restarting (TinyKV's RawNode scenarios) ---------------------------

TEST(Raft2AC, StartCampaignAndCommitProposal) {
  App app(1, {1});
  app.node().Campaign();
  Ready rd = app.Round();
  ASSERT_TRUE(rd.soft_state.has_value() && rd.soft_state->raft_state == StateType::kLeader)
      << "a single-node group that campaigns becomes leader at once, and the first Ready "
         "must report that change in soft_state. Ready was:\n"
      << DescribeReady(rd);

  ASSERT_FALSE(app.node().Propose("foo")) << "the leader must accept a proposal";
  rd = app.node().Ready();
  ASSERT_EQ(rd.entries.size(), 1u)
      << "after one proposal the Ready must hold exactly that one new entry to persist (the "
         "no-op was handed out and Advanced already). Ready:\n"
      << DescribeReady(rd);
  ASSERT_EQ(rd.committed_entries.size(), 1u)
      << "in a single-node group a proposal commits as soon as it is appended, so the same "
         "Ready must also hand it out to apply. Ready:\n"
      << DescribeReady(rd);
  EXPECT_EQ(rd.entries[0].data(), "foo") << DescribeReady(rd);
  EXPECT_EQ(rd.committed_entries[0].data(), "foo") << DescribeReady(rd);
  EXPECT_EQ(rd.entries[0].index(), rd.committed_entries[0].index()) << DescribeReady(rd);

  app.Persist(rd);
  app.node().Advance(rd);
  EXPECT_FALSE(app.node().HasReady())
      << "everything was persisted, applied and acknowledged with Advance; nothing is left, "
         "yet HasReady() is true. Ready():\n"
      << DescribeReady(app.node().Ready());
}

TEST(Raft2AC, ProposeAndProposeConfChangeAppendToLog) {
  App app(1, {1});
  app.node().Campaign();
  app.Settle();
  ASSERT_EQ(app.raft().state, StateType::kLeader) << app.Describe();

  app.node().Propose("somedata");
  eraftpb::ConfChange cc;
  cc.set_change_type(eraftpb::AddNode);
  cc.set_node_id(1);
  app.node().ProposeConfChange(cc);

  std::vector<eraftpb::Entry> ents = app.raft().raft_log.allEntries();
  ASSERT_GE(ents.size(), 2u) << "Propose and ProposeConfChange must each append an entry: "
                             << app.Describe();
  const eraftpb::Entry& data = ents[ents.size() - 2];
  const eraftpb::Entry& conf = ents.back();
  EXPECT_EQ(data.data(), "somedata") << "log: " << EntriesText(ents);
  EXPECT_EQ(data.entry_type(), eraftpb::EntryNormal) << "log: " << EntriesText(ents);
  EXPECT_EQ(conf.entry_type(), eraftpb::EntryConfChange)
      << "the leader must keep a proposed entry's type (EntryConfChange): log "
      << EntriesText(ents);
  EXPECT_EQ(conf.data(), cc.SerializeAsString())
      << "the leader must keep a proposed entry's data unchanged";
  EXPECT_EQ(conf.index(), data.index() + 1) << "log: " << EntriesText(ents);
  EXPECT_EQ(conf.term(), app.raft().term) << "log: " << EntriesText(ents);

  Ready rd = app.node().Ready();
  ASSERT_EQ(rd.entries.size(), 2u) << "both new entries must be handed out to persist:\n"
                                   << DescribeReady(rd);
  EXPECT_EQ(rd.entries[1].entry_type(), eraftpb::EntryConfChange) << DescribeReady(rd);
}

TEST(Raft2AC, RestartFromStorageHandsOutCommittedEntries) {
  auto storage = test::NewStorageWithEntries({test::MakeEntry(1, 1), test::MakeEntry(2, 1, "foo")});
  eraftpb::HardState hs;
  hs.set_term(1);
  hs.set_commit(1);
  storage->SetHardState(hs);

  App app(1, std::move(storage));
  Ready rd = app.node().Ready();
  ASSERT_EQ(rd.committed_entries.size(), 1u)
      << "storage says entry 1 is committed (HardState commit=1) and the application applied "
         "nothing (Config::applied=0), so the first Ready must hand out exactly entry 1 to "
         "apply. Ready:\n"
      << DescribeReady(rd) << "\n  " << app.Describe();
  EXPECT_EQ(rd.committed_entries[0].index(), 1u) << DescribeReady(rd);
  EXPECT_TRUE(rd.entries.empty())
      << "entries 1 and 2 come from storage, so they are already persisted: Ready.entries "
         "must be empty (stabled starts at storage's last index). Ready:\n"
      << DescribeReady(rd);
  EXPECT_TRUE(IsEmptyHardState(rd.hard_state))
      << "the HardState the node restarted with is already in storage: Ready.hard_state must "
         "stay empty until it changes. Ready:\n"
      << DescribeReady(rd);
  EXPECT_FALSE(rd.soft_state.has_value())
      << "a restarted node is a follower with no known leader, as a fresh one: no soft state "
         "change to report. Ready:\n"
      << DescribeReady(rd);
  EXPECT_TRUE(rd.messages.empty()) << DescribeReady(rd);
  EXPECT_TRUE(IsEmptySnap(rd.snapshot)) << DescribeReady(rd);

  app.node().Advance(rd);
  EXPECT_FALSE(app.node().HasReady())
      << "after the committed entry was applied and Advanced nothing is left to do; Ready():\n"
      << DescribeReady(app.node().Ready());
}

TEST(Raft2AC, RestartKeepsTermVoteLogAndCommit) {
  auto storage = test::NewStorageWithEntries(test::EntriesWithTerms({1, 2, 2}));
  eraftpb::HardState hs;
  hs.set_term(3);
  hs.set_vote(2);
  hs.set_commit(2);
  storage->SetHardState(hs);

  App app(1, std::move(storage));
  Raft& r = app.raft();
  EXPECT_EQ(r.term, 3u) << "a restarted node must come back at its persisted term: "
                        << app.Describe();
  EXPECT_EQ(r.vote, 2u) << "a restarted node must remember its vote, or it could vote twice "
                           "in one term: "
                        << app.Describe();
  EXPECT_EQ(r.state, StateType::kFollower) << app.Describe();
  EXPECT_EQ(r.raft_log.LastIndex(), 3u) << app.Describe();
  EXPECT_EQ(r.raft_log.committed, 2u)
      << "committed must start at the HardState's commit index: " << app.Describe();
  EXPECT_EQ(r.raft_log.stabled, 3u) << "everything read from storage is stable: " << app.Describe();
  Result<uint64_t> t = r.raft_log.Term(3);
  ASSERT_TRUE(t.ok()) << t.error().ToString();
  EXPECT_EQ(t.value(), 2u) << app.Describe();

  Ready rd = app.node().Ready();
  std::vector<uint64_t> got;
  for (const auto& e : rd.committed_entries) got.push_back(e.index());
  EXPECT_EQ(got, (std::vector<uint64_t>{1, 2}))
      << "the committed entries 1 and 2 must be handed out to apply, entry 3 (not committed) "
         "must not. Ready:\n"
      << DescribeReady(rd);
}

TEST(Raft2AC, RestartSkipsEntriesUpToConfigApplied) {
  auto storage = test::NewStorageWithEntries(test::EntriesWithTerms({1, 1, 1, 1, 1}));
  eraftpb::HardState hs;
  hs.set_term(1);
  hs.set_commit(5);
  storage->SetHardState(hs);

  App app(1, std::move(storage), /*applied=*/3);
  EXPECT_EQ(app.raft().raft_log.applied, 3u)
      << "the application said it applied up to 3 (Config::applied): " << app.Describe();
  Ready rd = app.node().Ready();
  std::vector<uint64_t> got;
  for (const auto& e : rd.committed_entries) got.push_back(e.index());
  EXPECT_EQ(got, (std::vector<uint64_t>{4, 5}))
      << "entries up to Config::applied (3) were applied before the restart and must not be "
         "handed out again; 4 and 5 are committed and not applied. Ready:\n"
      << DescribeReady(rd);
}

// --- Ready and Advance semantics ------------------------------------------------------------

TEST(Raft2AC, ReadyTwiceWithoutAdvanceReportsTheSame) {
  App app(1, {1, 2, 3});
  ElectNodeOne(app);
  Ready first = app.node().Ready();
  ASSERT_FALSE(first.entries.empty() || first.messages.empty() || !first.soft_state)
      << "node 1 campaigned and won: its Ready must hold the no-op entry, the vote requests "
         "and appends, and the new soft state. Ready:\n"
      << DescribeReady(first) << "\n  " << app.Describe();
  Ready second = app.node().Ready();
  EXPECT_EQ(DescribeReady(second), DescribeReady(first))
      << "Ready() must not consume anything: called twice without Advance, it must report "
         "the same thing (the application may crash between Ready and Advance and ask again).";

  // The same once there are committed entries to report.
  app.node().Step(AppendAck(2, 1, 1));
  first = app.node().Ready();
  ASSERT_FALSE(first.committed_entries.empty())
      << "node 2 acknowledged the no-op (index 1): with node 1 that is a majority, so it is "
         "committed and must be handed out to apply. Ready:\n"
      << DescribeReady(first) << "\n  " << app.Describe();
  second = app.node().Ready();
  EXPECT_EQ(DescribeReady(second), DescribeReady(first))
      << "Ready() called twice without Advance must report the same thing.";
}

TEST(Raft2AC, NothingMovesUntilAdvance) {
  App app(1, {1});
  app.node().Campaign();
  app.node().Propose("a");
  Raft& r = app.raft();
  const uint64_t stabled = r.raft_log.stabled;
  const uint64_t applied = r.raft_log.applied;
  Ready rd = app.node().Ready();
  ASSERT_EQ(rd.entries.size(), 2u) << "the no-op and the proposal must be handed out to "
                                      "persist. Ready:\n"
                                   << DescribeReady(rd) << "\n  " << app.Describe();
  ASSERT_EQ(rd.committed_entries.size(), 2u)
      << "a single-node group commits what it appends. Ready:\n"
      << DescribeReady(rd);
  app.Persist(rd);
  EXPECT_EQ(r.raft_log.stabled, stabled)
      << "Ready() and persisting must not move stabled: only Advance says the entries are on "
         "disk. "
      << app.Describe();
  EXPECT_EQ(r.raft_log.applied, applied)
      << "Ready() must not move applied: only Advance says the entries were applied. "
      << app.Describe();

  app.node().Advance(rd);
  EXPECT_EQ(r.raft_log.stabled, rd.entries.back().index())
      << "Advance must move stabled to the last entry of the Ready: " << app.Describe();
  EXPECT_EQ(r.raft_log.applied, rd.committed_entries.back().index())
      << "Advance must move applied to the last committed entry of the Ready: " << app.Describe();
  Ready next = app.node().Ready();
  EXPECT_TRUE(next.entries.empty() && next.committed_entries.empty() && next.messages.empty())
      << "after Advance the handled entries and messages must not be reported again. Ready:\n"
      << DescribeReady(next);
}

TEST(Raft2AC, WorkArrivingBetweenReadyAndAdvanceIsReportedNext) {
  App app(1, {1, 2, 3});
  ASSERT_NO_FATAL_FAILURE(ElectAndSettle(app));
  app.node().Propose("a");
  Ready rd = app.node().Ready();
  ASSERT_EQ(rd.entries.size(), 1u) << DescribeReady(rd);
  app.Persist(rd);

  // While the application handles rd, another proposal arrives.
  app.node().Propose("b");
  app.node().Advance(rd);

  Ready next = app.node().Ready();
  ASSERT_EQ(next.entries.size(), 1u)
      << "entry \"b\" was proposed after Ready() and before Advance(rd): it was not in rd, so "
         "it is not persisted yet and the next Ready must hand it out. Advance must move "
         "stabled only to rd's last entry, not to the log's last index. Ready:\n"
      << DescribeReady(next) << "\n  " << app.Describe();
  EXPECT_EQ(next.entries[0].data(), "b") << DescribeReady(next);
  bool append_b = false;
  for (const auto& m : next.messages) {
    for (const auto& e : m.entries()) append_b |= e.data() == "b";
  }
  EXPECT_TRUE(append_b)
      << "the appends carrying \"b\" were created after Ready(): Advance(rd) must only drop "
         "the messages rd reported, not these. Ready:\n"
      << DescribeReady(next);
}

TEST(Raft2AC, MessagesNeverCarryEntriesNotHandedOutToPersist) {
  App app(1, {1, 2, 3});
  ElectNodeOne(app);
  bool saw_append_with_entries = false;
  for (int round = 0; round < 6; ++round) {
    if (round > 0) app.node().Propose("p" + std::to_string(round));
    if (round == 3) app.node().Step(AppendAck(2, 1, 2));
    const uint64_t stabled = app.raft().raft_log.stabled;
    Ready rd = app.node().Ready();
    std::set<uint64_t> in_ready;
    for (const auto& e : rd.entries) in_ready.insert(e.index());
    for (const auto& m : rd.messages) {
      for (const auto& e : m.entries()) {
        saw_append_with_entries = true;
        EXPECT_TRUE(e.index() <= stabled || in_ready.count(e.index()))
            << "round " << round << ": message " << DescribeMessage(m) << " carries entry "
            << e.index() << ", which is neither persisted (stabled=" << stabled
            << ") nor in this Ready's entries. The application sends a Ready's messages after "
               "persisting its entries; a follower must never hold an entry the leader could "
               "lose in a crash.\n"
            << DescribeReady(rd);
      }
    }
    app.Persist(rd);
    app.node().Advance(rd);
  }
  EXPECT_TRUE(saw_append_with_entries)
      << "the leader proposed entries in a 3-node group but no Ready carried a MsgAppend with "
         "entries: "
      << app.Describe();
}

TEST(Raft2AC, SoftStateOnlyWhenItChanges) {
  App app(1, {1, 2, 3});
  EXPECT_FALSE(app.node().Ready().soft_state.has_value())
      << "a fresh node is a follower with no leader, which is the starting soft state: nothing "
         "changed to report";

  app.node().Campaign();
  Ready rd = app.Round();
  ASSERT_TRUE(rd.soft_state.has_value())
      << "node 1 became a candidate: the Ready must report the new soft state. Ready:\n"
      << DescribeReady(rd);
  EXPECT_EQ(rd.soft_state->raft_state, StateType::kCandidate) << DescribeReady(rd);
  EXPECT_EQ(rd.soft_state->lead, None) << DescribeReady(rd);

  app.node().Step(VoteFrom(2, 1));
  rd = app.Round();
  ASSERT_TRUE(rd.soft_state.has_value())
      << "node 1 became leader: the Ready must report it. Ready:\n"
      << DescribeReady(rd);
  EXPECT_EQ(rd.soft_state->raft_state, StateType::kLeader) << DescribeReady(rd);
  EXPECT_EQ(rd.soft_state->lead, 1u) << DescribeReady(rd);

  app.node().Propose("x");
  rd = app.Round();
  ASSERT_FALSE(rd.entries.empty()) << DescribeReady(rd);
  EXPECT_FALSE(rd.soft_state.has_value())
      << "node 1 is still the leader: soft_state must stay unset when nothing changed since "
         "the last Advance. Ready:\n"
      << DescribeReady(rd);

  // A leader of a newer term appears: node 1 steps down and follows it.
  eraftpb::Message app2 = test::MakeMessage(2, 1, eraftpb::MsgAppend, 5);
  app2.set_index(2);
  app2.set_log_term(1);
  app.node().Step(app2);
  rd = app.Round();
  ASSERT_TRUE(rd.soft_state.has_value())
      << "node 1 stepped down to follow node 2 (term 5): the Ready must report it. Ready:\n"
      << DescribeReady(rd);
  EXPECT_EQ(rd.soft_state->raft_state, StateType::kFollower) << DescribeReady(rd);
  EXPECT_EQ(rd.soft_state->lead, 2u) << DescribeReady(rd);
}

TEST(Raft2AC, HardStateEmptyWhenUnchanged) {
  App app(1, {1, 2, 3});
  ASSERT_NO_FATAL_FAILURE(ElectAndSettle(app));

  app.node().Propose("x");
  Ready rd = app.Round();
  ASSERT_EQ(rd.entries.size(), 1u) << "the proposal must be handed out to persist. Ready:\n"
                                   << DescribeReady(rd);
  EXPECT_TRUE(IsEmptyHardState(rd.hard_state))
      << "term, vote and commit index did not change (no follower acknowledged anything "
         "yet): Ready.hard_state must be empty so the application does not rewrite it. Ready:\n"
      << DescribeReady(rd);

  app.node().Step(AppendAck(2, 1, 2));
  rd = app.Round();
  EXPECT_EQ(rd.hard_state.commit(), 2u)
      << "node 2 acknowledged entries 1-2, a majority with node 1: the commit index changed "
         "to 2 and Ready.hard_state must carry it. Ready:\n"
      << DescribeReady(rd);
  EXPECT_EQ(rd.hard_state.term(), 1u) << DescribeReady(rd);
  EXPECT_EQ(rd.hard_state.vote(), 1u) << DescribeReady(rd);

  app.node().Propose("y");
  rd = app.Round();
  EXPECT_TRUE(IsEmptyHardState(rd.hard_state))
      << "after Advance acknowledged commit=2, nothing changed again: hard_state must be "
         "empty. Ready:\n"
      << DescribeReady(rd);
}

TEST(Raft2AC, HasReady) {
  App app(1, {1, 2, 3});
  EXPECT_FALSE(app.node().HasReady()) << "a fresh node has nothing to do";

  // The election timeout is randomized in [10, 20): 20 ticks always reach it.
  bool ready = false;
  for (int i = 0; i < 20 && !ready; ++i) {
    app.node().Tick();
    ready = app.node().HasReady();
  }
  ASSERT_TRUE(ready) << "after an election timeout the node campaigns (new term, vote, vote "
                        "requests to send): HasReady() must be true. "
                     << app.Describe();
  app.Round();
  EXPECT_FALSE(app.node().HasReady())
      << "everything was handled and Advanced: HasReady() must be false. Ready():\n"
      << DescribeReady(app.node().Ready());

  // A message from a peer that needs an answer.
  eraftpb::Message req = test::MakeMessage(2, 1, eraftpb::MsgRequestVote, app.raft().term + 1);
  req.set_index(10);
  req.set_log_term(10);
  app.node().Step(req);
  EXPECT_TRUE(app.node().HasReady())
      << "node 1 must answer node 2's vote request (and persist its new term and vote): "
         "HasReady() must be true. "
      << app.Describe();
  app.Round();
  EXPECT_FALSE(app.node().HasReady()) << DescribeReady(app.node().Ready());
}

TEST(Raft2AC, ThreeRawNodesAgreeThroughReady) {
  // Three applications that only talk through Ready.messages and Step: every node must apply
  // the same entries, each exactly once, in index order.
  std::vector<std::unique_ptr<App>> apps;
  for (uint64_t id = 1; id <= 3; ++id)
    apps.push_back(std::make_unique<App>(id, test::IdsBySize(3)));

  auto pump = [&]() {
    for (int round = 0; round < 50; ++round) {
      bool any = false;
      std::vector<eraftpb::Message> wire;
      for (auto& a : apps) {
        if (!a->node().HasReady()) continue;
        any = true;
        Ready rd = a->Round();
        wire.insert(wire.end(), rd.messages.begin(), rd.messages.end());
      }
      for (const auto& m : wire) {
        if (m.to() >= 1 && m.to() <= apps.size()) apps[m.to() - 1]->node().Step(m);
      }
      if (!any && wire.empty()) return;
    }
  };

  apps[0]->node().Campaign();
  pump();
  ASSERT_EQ(apps[0]->raft().state, StateType::kLeader)
      << "node 1 campaigned and the others answered through Ready/Step: " << apps[0]->Describe();
  for (int i = 0; i < 5; ++i) {
    apps[0]->node().Propose("v" + std::to_string(i));
    pump();
  }
  // Heartbeats spread the final commit index.
  for (int i = 0; i < 3; ++i) apps[0]->node().Tick();
  pump();

  for (auto& a : apps) {
    const auto& got = a->applied();
    std::vector<std::string> data;
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].index(), i + 1)
          << "node " << a->raft().id << " applied " << EntriesText(got)
          << ": committed entries must be handed out once each, in index order, with no gaps";
      if (!got[i].data().empty()) data.push_back(got[i].data());
    }
    EXPECT_EQ(data, (std::vector<std::string>{"v0", "v1", "v2", "v3", "v4"}))
        << "node " << a->raft().id << " applied " << EntriesText(got) << "; " << a->Describe();
  }
}

}  // namespace
}  // namespace raft
