// Lab 2AB, log replication: the public suite. Each test names the rule of Raft it checks
// (sections and figures of the extended Raft paper, "In Search of an Understandable Consensus
// Algorithm"); a failure says which node broke it, what its log looks like and what it sent.
//
// The suite goes from the inside out: the RaftLog over its storage, then one follower
// handling MsgAppend and MsgHeartbeat, then one leader replicating and committing (driven by
// hand, message by message), then whole groups on raft::test::Network, with partitions and
// seeded message loss. Every loop is bounded, so an unfinished implementation fails fast.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "raft/memory_storage.h"
#include "raft/raft.h"
#include "raft/raft_log.h"
#include "raft/testing/describe.h"
#include "raft/testing/network.h"
#include "raft/testing/test_raft.h"
#include "raft/util.h"
#include "testutil/seed.h"

namespace raft {
namespace {

using eraftpb::Entry;
using eraftpb::Message;
using eraftpb::MessageType;
using test::DescribeEntriesWithData;
using test::DescribeMessages;
using test::DescribeNode;
using test::EntriesWithTerms;
using test::MakeEntry;
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

// What two nodes of a group must agree on: the commit index and every entry (index, term,
// data). "committed=2 [1@1 2@1:"x"]".
std::string LogPicture(const RaftLog& log) {
  return "committed=" + std::to_string(log.committed) + " " +
         DescribeEntriesWithData(log.allEntries());
}

// Every node of the network, one per line.
std::string Nodes(const Network& nt) {
  std::string out;
  for (uint64_t id : nt.ids()) {
    const Raft* r = nt.raft(id);
    out += "\n  " + (r ? DescribeNode(*r) : "node " + std::to_string(id) + " (down)");
  }
  return out;
}

eraftpb::HardState HardState(uint64_t term, uint64_t vote = None, uint64_t commit = 0) {
  eraftpb::HardState hs;
  hs.set_term(term);
  hs.set_vote(vote);
  hs.set_commit(commit);
  return hs;
}

// A MsgAppend from `from`: the entries follow the entry (index, log_term) of the sender's log.
Message Append(uint64_t from, uint64_t to, uint64_t term, uint64_t log_term, uint64_t index,
               uint64_t commit, const std::vector<Entry>& ents = {}) {
  Message m = MakeMessage(from, to, eraftpb::MsgAppend, term);
  m.set_log_term(log_term);
  m.set_index(index);
  m.set_commit(commit);
  for (const Entry& e : ents) *m.add_entries() = e;
  return m;
}

// Makes node 1 of `n` the leader of term 1 (from a fresh node) and commits its no-op, so that
// a test starts from a leader whose log is [1@1], committed and applied, outbox empty.
::testing::AssertionResult MakeLeaderWithCommittedNoop(test::TestNode& n) {
  Raft& r = *n;
  r.becomeCandidate();
  r.becomeLeader();
  if (r.state != StateType::kLeader || r.term != 1) {
    return ::testing::AssertionFailure()
           << "setting up: after becomeCandidate() and becomeLeader() a fresh node must be "
              "the leader of term 1; got "
           << DescribeNode(r);
  }
  test::CommitNoopEntry(r, *n.storage);
  if (r.raft_log.LastIndex() != 1 || r.raft_log.committed != 1) {
    return ::testing::AssertionFailure()
           << "setting up: a new leader appends a no-op entry of its term (index 1 here); once "
              "every follower has accepted it, it is committed. Expected last index 1 and "
              "committed 1; got "
           << DescribeNode(r);
  }
  return ::testing::AssertionSuccess();
}

// Elects node `id` of the network by MsgHup; fails the calling test's setup when it did not win.
::testing::AssertionResult Elect(Network& nt, uint64_t id) {
  nt.Send(test::Hup(id));
  if (nt.node(id).state == StateType::kLeader) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "setting up: node " << id << " campaigned (MsgHup) with every node reachable and "
         << "must have won the election (see the Raft2AA tests):" << Nodes(nt) << "\n  messages:\n"
         << nt.RecentTrace(30);
}

// ---------------------------------------------------------------------------------------
// The RaftLog over its storage

TEST(Raft2AB, RaftLogStartsFromStorage) {
  auto storage = test::NewStorageWithEntries(EntriesWithTerms({1, 1, 2, 3}));
  RaftLog log(storage.get());
  EXPECT_EQ(log.LastIndex(), 4u) << "a RaftLog built on a storage holding entries 1..4 ends at "
                                    "storage's last index. Log: "
                                 << LogPicture(log);
  EXPECT_EQ(DescribeEntriesWithData(log.allEntries()), "[1@1 2@1 3@2 4@3]")
      << "allEntries() returns every entry the log holds, those read from storage included";
  EXPECT_EQ(log.stabled, 4u) << "entries read from storage are persisted: stabled starts at "
                                "storage's last index";
  EXPECT_TRUE(log.unstableEntries().empty()) << "nothing read from storage is unstable; got "
                                             << DescribeEntriesWithData(log.unstableEntries());
  EXPECT_EQ(log.committed, 0u) << "commit comes from the HardState (read by Raft), not the log";
  EXPECT_EQ(log.applied, 0u);
  EXPECT_TRUE(log.nextEnts().empty()) << "nothing is committed yet, so nothing is to apply; got "
                                      << DescribeEntriesWithData(log.nextEnts());
}

TEST(Raft2AB, RaftLogTerm) {
  auto storage = test::NewStorageWithEntries(EntriesWithTerms({1, 1, 2, 3}));
  RaftLog log(storage.get());
  const std::vector<uint64_t> want = {0, 1, 1, 2, 3};  // index 0: the dummy entry, term 0
  for (uint64_t i = 0; i < want.size(); ++i) {
    Result<uint64_t> t = log.Term(i);
    ASSERT_TRUE(t.ok()) << "Term(" << i << ") of the log [1@1 2@1 3@2 4@3] must succeed; got "
                        << t.error().ToString();
    EXPECT_EQ(t.value(), want[i]) << "Term(" << i << ") of the log [1@1 2@1 3@2 4@3]"
                                  << (i == 0 ? " (index 0 is before every log: term 0)" : "");
  }
  Result<uint64_t> beyond = log.Term(5);
  EXPECT_EQ(beyond.code(), ErrUnavailable)
      << "Term(5) of a log that ends at 4 must answer ErrUnavailable (the entry does not exist "
         "yet); got "
      << (beyond.ok() ? "term " + std::to_string(beyond.value()) : beyond.error().ToString());
}

// unstableEntries() are what the application must persist next: everything after `stabled`.
TEST(Raft2AB, RaftLogUnstableEntriesFollowStabled) {
  const std::vector<Entry> ents = EntriesWithTerms({1, 1, 2, 3});
  auto storage = test::NewStorageWithEntries(ents);
  RaftLog log(storage.get());
  for (uint64_t stabled : {4, 3, 1, 0}) {
    log.stabled = stabled;
    const std::vector<Entry> want(ents.begin() + stabled, ents.end());
    EXPECT_EQ(DescribeEntriesWithData(log.unstableEntries()), DescribeEntriesWithData(want))
        << "with stabled = " << stabled
        << ", unstableEntries() must return the entries after it (index > stabled)";
  }
}

// nextEnts() are what the application must apply next: (applied, committed].
TEST(Raft2AB, RaftLogNextEntsBetweenAppliedAndCommitted) {
  auto storage = test::NewStorageWithEntries(EntriesWithTerms({1, 1, 2, 3}));
  RaftLog log(storage.get());
  struct Case {
    uint64_t applied, committed;
    std::string want;
  };
  for (const Case& c : std::vector<Case>{{0, 0, "[]"},
                                         {0, 2, "[1@1 2@1]"},
                                         {1, 3, "[2@1 3@2]"},
                                         {3, 3, "[]"},
                                         {2, 4, "[3@2 4@3]"}}) {
    log.applied = c.applied;
    log.committed = c.committed;
    EXPECT_EQ(DescribeEntriesWithData(log.nextEnts()), c.want)
        << "with applied = " << c.applied << " and committed = " << c.committed
        << ", nextEnts() must return the committed entries not yet applied";
  }
}

// ---------------------------------------------------------------------------------------
// A follower receiving MsgAppend (§5.3, Figure 2 "AppendEntries RPC")

// The follower accepts a leader's entries and commits what the leader says is committed.
TEST(Raft2AB, FollowerCommitEntry) {
  struct Case {
    std::vector<Entry> ents;
    uint64_t commit;
  };
  const std::vector<Case> cases = {
      {{MakeEntry(1, 1, "some data")}, 1},
      {{MakeEntry(1, 1, "some data"), MakeEntry(2, 1, "some data2")}, 2},
      {{MakeEntry(1, 1, "some data2"), MakeEntry(2, 1, "some data")}, 2},
      {{MakeEntry(1, 1, "some data"), MakeEntry(2, 1, "some data2")}, 1},
  };
  for (const Case& c : cases) {
    auto n = NewTestNode(1, kThree);
    Raft& r = *n;
    r.becomeFollower(1, 2);
    Message m = Append(2, 1, 1, 0, 0, c.commit, c.ents);
    r.Step(m);
    std::vector<Message> sent = ReadMessages(r);
    EXPECT_EQ(r.raft_log.committed, c.commit)
        << "Figure 2, AppendEntries rule 5: if leaderCommit > commitIndex, set commitIndex = "
           "min(leaderCommit, index of last new entry). Follower 1 received "
        << DescribeMessage(m) << Saw(r, sent);
    std::vector<Entry> want(c.ents.begin(), c.ents.begin() + c.commit);
    EXPECT_EQ(DescribeEntriesWithData(test::PersistAndApply(r, *n.storage)),
              DescribeEntriesWithData(want))
        << "the committed entries are the ones the application applies next (nextEnts)"
        << Saw(r, sent);
  }
}

// The consistency check: a follower accepts entries only if its log holds the leader's entry
// just before them (same index and term); otherwise it refuses.
TEST(Raft2AB, FollowerCheckMsgAppend) {
  struct Case {
    uint64_t log_term, index;
    bool reject;
    std::string what;
  };
  const std::vector<Case> cases = {
      {0, 0, false, "matches before the log (index 0), all of which is committed"},
      {1, 1, false, "matches committed entry 1@1"},
      {2, 2, false, "matches uncommitted entry 2@2"},
      {1, 2, true, "the follower's entry 2 has term 2, not 1"},
      {3, 3, true, "the follower has no entry 3"},
  };
  for (const Case& c : cases) {
    auto n = NewTestNode(1, kThree, 10, 1, EntriesWithTerms({1, 2}));
    Raft& r = *n;
    r.becomeFollower(2, 2);
    r.raft_log.committed = 1;
    Message m = Append(2, 1, 2, c.log_term, c.index, 1);
    r.Step(m);
    std::vector<Message> sent = ReadMessages(r);
    ASSERT_EQ(sent.size(), 1u) << "a follower answers every MsgAppend with one MsgAppendResponse "
                                  "to the leader. Follower 1 (log [1@1 2@2], committed 1) got "
                               << DescribeMessage(m) << Saw(r, sent);
    EXPECT_EQ(sent[0].msg_type(), eraftpb::MsgAppendResponse) << Saw(r, sent);
    EXPECT_EQ(sent[0].to(), 2u) << Saw(r, sent);
    EXPECT_EQ(sent[0].reject(), c.reject)
        << "§5.3 consistency check: the leader's MsgAppend names the entry before its new ones "
           "(index "
        << c.index << ", term " << c.log_term << "); " << c.what << ", so the follower must "
        << (c.reject ? "refuse" : "accept") << " it." << Saw(r, sent);
    if (!c.reject) {
      // The message covers the log up to c.index; entries after it may still differ from the
      // leader's. (Up to the commit index is fine too: committed entries always match.)
      EXPECT_GE(sent[0].index(), c.index) << Saw(r, sent);
      EXPECT_LE(sent[0].index(), std::max<uint64_t>(c.index, 1))
          << "an accepting MsgAppendResponse tells the leader up to where the follower's log "
             "now matches its own: the last entry the MsgAppend covered (index + number of "
             "entries), not the follower's last index: entries beyond it may still differ from "
             "the leader's, and the leader would count them towards a commit"
          << Saw(r, sent);
    }
  }
}

// Accepted entries go after the matching entry; a conflicting entry and everything after it
// are replaced (§5.3, Figure 2 AppendEntries rules 3 and 4).
TEST(Raft2AB, FollowerAppendEntries) {
  struct Case {
    std::vector<uint64_t> log;  // the follower's log terms, from index 1
    uint64_t index, log_term;
    std::vector<Entry> ents;
    std::string want, want_unstable, what;
  };
  const std::vector<Case> cases = {
      {{1, 2}, 2, 2, {MakeEntry(3, 3)}, "[1@1 2@2 3@3]", "[3@3]", "appends after the last entry"},
      {{1, 2},
       1,
       1,
       {MakeEntry(2, 3), MakeEntry(3, 4)},
       "[1@1 2@3 3@4]",
       "[2@3 3@4]",
       "entry 2 conflicts (term 2 here, 3 at the leader): it is replaced"},
      {{1, 2}, 0, 0, {MakeEntry(1, 1)}, "[1@1 2@2]", "[]", "entry 1 is already there: no change"},
      {{1, 2},
       0,
       0,
       {MakeEntry(1, 3)},
       "[1@3]",
       "[1@3]",
       "entry 1 conflicts: it and everything after it go"},
      {{1, 1, 2, 2, 2, 2},
       2,
       1,
       {MakeEntry(3, 3)},
       "[1@1 2@1 3@3]",
       "[3@3]",
       "a longer conflicting log is cut at the first conflict, not merely overwritten"},
      {{1, 1, 1},
       1,
       1,
       {MakeEntry(2, 1)},
       "[1@1 2@1 3@1]",
       "[]",
       "the entries sent all match (a late, shorter copy of an old message): entries after "
       "them must NOT be dropped"},
  };
  for (const Case& c : cases) {
    auto n = NewTestNode(1, kThree, 10, 1, EntriesWithTerms(c.log));
    Raft& r = *n;
    r.becomeFollower(2, 2);
    Message m = Append(2, 1, 2, c.log_term, c.index, 0, c.ents);
    const std::string before = DescribeNode(r);
    r.Step(m);
    std::vector<Message> sent = ReadMessages(r);
    EXPECT_EQ(DescribeEntriesWithData(r.raft_log.allEntries()), c.want)
        << "§5.3: " << c.what << ".\n  before: " << before << "\n  received " << DescribeMessage(m)
        << Saw(r, sent);
    EXPECT_EQ(DescribeEntriesWithData(r.raft_log.unstableEntries()), c.want_unstable)
        << "unstableEntries() must be exactly the entries the application has not persisted "
           "yet: new ones, and replacements of persisted ones (lower `stabled` when you cut the "
           "log).\n  before: "
        << before << "\n  received " << DescribeMessage(m) << Saw(r, sent);
  }
}

// Figure 2's AppendEntries receiver, rule by rule, with the answer and the commit index.
TEST(Raft2AB, HandleMsgAppend) {
  struct Case {
    uint64_t term, log_term, index, commit;
    std::vector<Entry> ents;
    uint64_t want_last, want_commit;
    bool reject;
    std::string what;
  };
  const std::vector<Case> cases = {
      // Rule 2: reply false if the log has no entry at index whose term matches.
      {2, 3, 2, 3, {}, 2, 0, true, "entry 2 has term 2, not 3"},
      {2, 3, 3, 3, {}, 2, 0, true, "there is no entry 3"},
      // Rules 3-5: append, then commit up to min(leaderCommit, last new entry).
      {2, 1, 1, 1, {}, 2, 1, false, "matches entry 1; commit 1"},
      {2, 0, 0, 1, {MakeEntry(1, 2)}, 1, 1, false, "replaces entry 1@1 by 1@2 (and drops 2@2)"},
      {2, 2, 2, 3, {MakeEntry(3, 2), MakeEntry(4, 2)}, 4, 3, false, "appends 3 and 4, commit 3"},
      {2, 2, 2, 4, {MakeEntry(3, 2)}, 3, 3, false, "commit is capped at the last new entry (3)"},
      {2, 1, 1, 4, {MakeEntry(2, 2)}, 2, 2, false, "entry 2 is already there; commit 2"},
      {1, 1, 1, 3, {}, 2, 1, false, "matches entry 1 and sends none: the last new entry is 1"},
      {1, 1, 1, 3, {MakeEntry(2, 2)}, 2, 2, false, "the last new entry is 2"},
      {2, 2, 2, 3, {}, 2, 2, false, "matches entry 2: commit up to 2"},
      {2, 2, 2, 4, {}, 2, 2, false, "commit can never pass the last entry"},
  };
  for (const Case& c : cases) {
    auto n = NewTestNode(1, {1}, 10, 1, EntriesWithTerms({1, 2}));
    Raft& r = *n;
    r.becomeFollower(2, None);
    Message m = Append(2, 1, c.term, c.log_term, c.index, c.commit, c.ents);
    r.handleAppendEntries(m);
    std::vector<Message> sent = ReadMessages(r);
    const std::string context = "Follower 1 (term 2, log [1@1 2@2], committed 0) handled " +
                                DescribeMessage(m) + ": " + c.what + "." + Saw(r, sent);
    EXPECT_EQ(r.raft_log.LastIndex(), c.want_last) << context;
    EXPECT_EQ(r.raft_log.committed, c.want_commit) << context;
    ASSERT_EQ(sent.size(), 1u) << "handleAppendEntries answers with one MsgAppendResponse. "
                               << context;
    EXPECT_EQ(sent[0].msg_type(), eraftpb::MsgAppendResponse) << context;
    EXPECT_EQ(sent[0].reject(), c.reject) << context;
  }
}

// A commit index only moves forward: an old or lagging message must not lower it.
TEST(Raft2AB, FollowerCommitNeverDecreases) {
  auto n = NewTestNode(1, kThree, 10, 1, EntriesWithTerms({1, 1, 1}));
  Raft& r = *n;
  r.becomeFollower(1, 2);
  r.raft_log.committed = 3;
  const std::vector<Message> msgs = {
      Append(2, 1, 1, 1, 1, 1),                     // an old MsgAppend, delivered late
      Append(2, 1, 1, 1, 3, 2, {MakeEntry(4, 1)}),  // new entries, an older commit
      MakeMessage(2, 1, eraftpb::MsgHeartbeat, 1),  // a heartbeat with commit 0
  };
  for (const Message& m : msgs) {
    r.Step(m);
    std::vector<Message> sent = ReadMessages(r);
    EXPECT_EQ(r.raft_log.committed, 3u)
        << "a committed entry stays committed: the commit index never decreases. Follower 1 "
           "had committed 3 and received "
        << DescribeMessage(m) << Saw(r, sent);
  }
  EXPECT_EQ(r.raft_log.LastIndex(), 4u)
      << "the MsgAppend carrying entry 4 matched entry 3@1: it must have been appended"
      << Saw(r, r.msgs);
}

// A late copy of an old MsgAppend must not cut entries that the follower got since.
TEST(Raft2AB, StaleMsgAppendDoesNotTruncateLaterEntries) {
  auto n = NewTestNode(1, kThree);
  Raft& r = *n;
  r.becomeFollower(1, 2);
  Message old = Append(2, 1, 1, 0, 0, 0, {MakeEntry(1, 1, "a")});
  Message newer = Append(2, 1, 1, 0, 0, 2, EntriesWithTerms({1, 1, 1}));
  newer.mutable_entries(0)->set_data("a");
  r.Step(newer);
  ReadMessages(r);
  ASSERT_EQ(r.raft_log.LastIndex(), 3u) << DescribeNode(r);
  r.Step(old);
  std::vector<Message> sent = ReadMessages(r);
  EXPECT_EQ(r.raft_log.LastIndex(), 3u)
      << "Figure 2, AppendEntries rule 3 deletes entries only on a CONFLICT (same index, "
         "different term). The late "
      << DescribeMessage(old) << " holds nothing that conflicts, so entries 2 and 3 stay"
      << Saw(r, sent);
  EXPECT_EQ(r.raft_log.committed, 2u) << "and the commit index stays" << Saw(r, sent);
  for (const Message& m : sent) {
    EXPECT_FALSE(m.reject()) << "the old message still matches the log: it is not refused"
                             << Saw(r, sent);
  }
}

// ---------------------------------------------------------------------------------------
// A follower receiving heartbeats

TEST(Raft2AB, HandleHeartbeat) {
  const uint64_t commit = 2;
  for (uint64_t leader_commit : {commit + 1, commit - 1}) {
    auto n = NewTestNode(1, {1, 2}, 5, 1, EntriesWithTerms({1, 2, 3}));
    Raft& r = *n;
    r.becomeFollower(2, 2);
    r.raft_log.committed = commit;
    Message m = MakeMessage(2, 1, eraftpb::MsgHeartbeat, 2);
    m.set_commit(leader_commit);
    r.handleHeartbeat(m);
    std::vector<Message> sent = ReadMessages(r);
    const uint64_t want = std::max(commit, leader_commit);
    EXPECT_EQ(r.raft_log.committed, want)
        << "a heartbeat carries the leader's commit index: the follower commits up to it (never "
           "beyond its own last entry) and never moves its commit index back. Follower 1 "
           "(committed 2, last index 3) handled "
        << DescribeMessage(m) << Saw(r, sent);
    ASSERT_EQ(sent.size(), 1u) << "a heartbeat gets exactly one answer" << Saw(r, sent);
    EXPECT_EQ(sent[0].msg_type(), eraftpb::MsgHeartbeatResponse) << Saw(r, sent);
    EXPECT_EQ(sent[0].to(), 2u) << Saw(r, sent);
  }
}

// ---------------------------------------------------------------------------------------
// A leader replicating and committing (§5.3), driven message by message

TEST(Raft2AB, LeaderStartReplication) {
  auto n = NewTestNode(1, kThree);
  Raft& r = *n;
  ASSERT_TRUE(MakeLeaderWithCommittedNoop(n));
  const uint64_t li = r.raft_log.LastIndex();
  Message prop = test::Propose(1, "some data");
  r.Step(prop);
  std::vector<Message> msgs = SortedByReceiver(ReadMessages(r));

  EXPECT_EQ(r.raft_log.LastIndex(), li + 1)
      << "§5.3: the leader appends the command to its log as a new entry" << Saw(r, msgs);
  ASSERT_EQ(msgs.size(), 2u) << "§5.3: the leader then sends AppendEntries to each of the "
                                "other servers (2 and 3) to replicate the entry"
                             << Saw(r, msgs);
  for (size_t i = 0; i < msgs.size(); ++i) {
    const Message& m = msgs[i];
    const std::string seen = "\n  got " + DescribeMessage(m) + Saw(r, msgs);
    EXPECT_EQ(m.msg_type(), eraftpb::MsgAppend) << seen;
    EXPECT_EQ(m.to(), i + 2) << seen;
    EXPECT_EQ(m.term(), 1u) << "messages carry the leader's term" << seen;
    EXPECT_EQ(m.index(), li) << "index/log_term name the entry before the new ones: the no-op "
                             << li << "@1" << seen;
    EXPECT_EQ(m.log_term(), 1u) << seen;
    EXPECT_EQ(m.commit(), li) << "the leader tells followers its commit index" << seen;
    ASSERT_EQ(m.entries_size(), 1)
        << "the followers have the no-op: send only the new entry" << seen;
    EXPECT_EQ(DescribeEntriesWithData({m.entries(0)}),
              DescribeEntriesWithData({MakeEntry(li + 1, 1, "some data")}))
        << "the proposed entry gets the next index and the leader's term" << seen;
  }
  EXPECT_EQ(DescribeEntriesWithData(r.raft_log.unstableEntries()),
            DescribeEntriesWithData({MakeEntry(li + 1, 1, "some data")}))
      << "the new entry is not persisted yet: it is the leader's only unstable entry"
      << Saw(r, msgs);
}

TEST(Raft2AB, LeaderCommitEntry) {
  auto n = NewTestNode(1, kThree);
  Raft& r = *n;
  ASSERT_TRUE(MakeLeaderWithCommittedNoop(n));
  const uint64_t li = r.raft_log.LastIndex();
  r.Step(test::Propose(1, "some data"));
  std::vector<Message> appends = ReadMessages(r);
  ASSERT_EQ(appends.size(), 2u) << "a proposal is sent to both followers" << Saw(r, appends);
  for (const Message& m : appends) r.Step(test::AcceptAndReply(m));
  std::vector<Message> msgs = ReadMessages(r);

  EXPECT_EQ(r.raft_log.committed, li + 1)
      << "§5.3: an entry is committed once the leader has replicated it on a majority. Both "
         "followers accepted entry "
      << li + 1 << Saw(r, msgs);
  EXPECT_EQ(DescribeEntriesWithData(test::PersistAndApply(r, *n.storage)),
            DescribeEntriesWithData({MakeEntry(li + 1, 1, "some data")}))
      << "the committed entry is handed to the application (nextEnts)" << Saw(r, msgs);
  for (uint64_t follower : {2, 3}) {
    bool told = false;
    for (const Message& m : msgs) {
      told |= m.to() == follower && m.msg_type() == eraftpb::MsgAppend && m.commit() == li + 1;
    }
    EXPECT_TRUE(told) << "§5.3: the leader includes the new commit index in the AppendEntries "
                         "it sends next, so that followers learn of it; send it at once (a "
                         "MsgAppend with commit "
                      << li + 1 << ") to follower " << follower << Saw(r, msgs);
  }
}

TEST(Raft2AB, LeaderAcknowledgeCommit) {
  struct Case {
    size_t size;
    std::vector<uint64_t> acceptors;
    bool committed;
  };
  const std::vector<Case> cases = {
      {1, {}, true},     {3, {}, false},       {3, {2}, true},
      {3, {2, 3}, true}, {5, {}, false},       {5, {2}, false},
      {5, {2, 3}, true}, {5, {2, 3, 4}, true}, {5, {2, 3, 4, 5}, true},
  };
  for (const Case& c : cases) {
    auto n = NewTestNode(1, test::IdsBySize(c.size));
    Raft& r = *n;
    ASSERT_TRUE(MakeLeaderWithCommittedNoop(n));
    const uint64_t li = r.raft_log.LastIndex();
    r.Step(test::Propose(1, "some data"));
    std::string accepted;
    for (const Message& m : ReadMessages(r)) {
      if (std::find(c.acceptors.begin(), c.acceptors.end(), m.to()) == c.acceptors.end()) {
        continue;
      }
      accepted += " " + std::to_string(m.to());
      r.Step(test::AcceptAndReply(m));
    }
    EXPECT_EQ(r.raft_log.committed > li, c.committed)
        << "§5.3: an entry is committed when the leader (which has it) and enough followers to "
           "make a majority have it. Group of "
        << c.size << ", followers that accepted entry " << li + 1 << ":"
        << (accepted.empty() ? " none" : accepted) << Saw(r, r.msgs);
  }
}

// Committing an entry of the current term commits every entry before it (§5.3, Log Matching).
TEST(Raft2AB, LeaderCommitPrecedingEntries) {
  const std::vector<std::vector<Entry>> logs = {
      {},
      {MakeEntry(1, 2)},
      {MakeEntry(1, 1), MakeEntry(2, 2)},
      {MakeEntry(1, 1)},
  };
  for (const auto& log : logs) {
    auto n = NewTestNode(1, kThree, 10, 1, log, HardState(2));
    Raft& r = *n;
    r.becomeCandidate();
    r.becomeLeader();
    ASSERT_EQ(r.state, StateType::kLeader) << DescribeNode(r);
    ASSERT_EQ(r.term, 3u) << "a node at term 2 that becomes candidate moves to term 3"
                          << DescribeNode(r);
    r.Step(test::Propose(1, "some data"));
    for (const Message& m : ReadMessages(r)) r.Step(test::AcceptAndReply(m));

    const uint64_t li = log.size();
    std::vector<Entry> want = log;
    want.push_back(MakeEntry(li + 1, 3));
    want.push_back(MakeEntry(li + 2, 3, "some data"));
    EXPECT_EQ(DescribeEntriesWithData(test::PersistAndApply(r, *n.storage)),
              DescribeEntriesWithData(want))
        << "§5.3: when the leader commits an entry of its term, every entry before it in its "
           "log is committed too. Leader 1 started from "
        << DescribeEntriesWithData(log) << " at term 2, won term 3, appended its no-op and "
        << "a proposal, and both followers accepted everything" << Saw(r, r.msgs);
  }
}

// Figure 8 / §5.4.2: a leader commits by counting replicas only entries of its own term.
TEST(Raft2AB, LeaderOnlyCommitsLogFromCurrentTerm) {
  struct Case {
    uint64_t index, want_commit;
  };
  for (const Case& c : std::vector<Case>{{1, 0}, {2, 0}, {3, 3}}) {
    auto n = NewTestNode(1, {1, 2}, 10, 1, EntriesWithTerms({1, 2}), HardState(2));
    Raft& r = *n;
    r.becomeCandidate();
    r.becomeLeader();
    ASSERT_EQ(r.state, StateType::kLeader) << DescribeNode(r);
    ReadMessages(r);
    r.Step(test::Propose(1, ""));
    ReadMessages(r);
    Message ack = MakeMessage(2, 1, eraftpb::MsgAppendResponse, r.term);
    ack.set_index(c.index);
    r.Step(ack);
    EXPECT_EQ(r.raft_log.committed, c.want_commit)
        << "§5.4.2: Raft never commits entries from previous terms by counting replicas; only "
           "an entry of the leader's current term is committed that way (and everything before "
           "it with it). Leader 1 of {1,2} at term 3, log [1@1 2@2 3@3(no-op) 4@3], got "
        << DescribeMessage(ack) << Saw(r, r.msgs);
  }
}

// The leader keeps its own Progress too: it always matches its own log.
TEST(Raft2AB, ProgressLeader) {
  auto n = NewTestNode(1, {1, 2}, 5, 1);
  Raft& r = *n;
  r.becomeCandidate();
  r.becomeLeader();
  ASSERT_EQ(r.state, StateType::kLeader) << DescribeNode(r);
  for (uint64_t i = 0; i < 5; ++i) {
    ASSERT_TRUE(r.prs.count(1)) << "prs must hold a Progress for every node of the group, the "
                                   "leader included. "
                                << DescribeNode(r);
    const Progress& pr = r.prs.at(1);
    EXPECT_EQ(pr.match, i + 1) << "the leader's own match is its last index (" << i + 1
                               << ") after " << i << " proposals. " << DescribeNode(r);
    EXPECT_EQ(pr.next, pr.match + 1) << "the leader's own next is match + 1. " << DescribeNode(r);
    Error err = r.Step(test::Propose(1, "foo"));
    ASSERT_TRUE(err.ok()) << "a leader accepts proposals; got " << err.ToString();
  }
}

// Progress.next moves past everything the follower has acknowledged.
TEST(Raft2AB, LeaderIncreaseNext) {
  std::vector<Network::Peer> peers;
  peers.push_back(Network::Peer::Of(NewTestNode(1, {1, 2}, 10, 1, EntriesWithTerms({1, 1, 1}))));
  peers.push_back(Network::Peer::New());
  Network nt(std::move(peers), testutil::TestSeed());
  ASSERT_TRUE(Elect(nt, 1));
  nt.Send(test::Propose(1, "somedata"));
  const Raft& r = nt.node(1);
  ASSERT_TRUE(r.prs.count(2)) << DescribeNode(r);
  // 3 old entries, the no-op, the proposal: follower 2 has 5 entries, so next is 6.
  EXPECT_EQ(r.prs.at(2).next, 6u)
      << "once follower 2 has acknowledged entries 1..5 (3 old ones, the new leader's no-op, "
         "one proposal), the leader's next for it must be 6"
      << Nodes(nt) << "\n  messages:\n"
      << nt.RecentTrace(20);
  EXPECT_EQ(r.prs.at(2).match, 5u) << Nodes(nt);
}

// A follower that refuses an append makes the leader back up and try again (§5.3): without
// it a follower that missed entries would never catch up.
TEST(Raft2AB, RejectedAppendMakesLeaderDecrementNextAndRetry) {
  auto ln = NewTestNode(1, {1, 2}, 10, 1, EntriesWithTerms({1, 1, 1}), HardState(1));
  auto fnode = NewTestNode(2, {1, 2}, 10, 1, EntriesWithTerms({1}), HardState(1));
  Raft& leader = *ln;
  Raft& follower = *fnode;
  leader.becomeCandidate();
  leader.becomeLeader();
  ASSERT_EQ(leader.state, StateType::kLeader) << DescribeNode(leader);
  ReadMessages(leader);
  ASSERT_TRUE(leader.prs.count(2)) << DescribeNode(leader);
  const uint64_t first_next = leader.prs.at(2).next;
  leader.sendAppend(2);

  // Pass messages between the two by hand, a bounded number of rounds.
  std::string trace;
  std::vector<Message> to_follower = ReadMessages(leader);
  ASSERT_FALSE(to_follower.empty()) << "sendAppend(2) must send a MsgAppend" << Saw(leader, {});
  bool rejected = false, retried_lower = false;
  uint64_t rejected_index = 0;
  for (int round = 0; round < 10 && !to_follower.empty(); ++round) {
    std::vector<Message> to_leader;
    for (const Message& m : to_follower) {
      trace += "\n    " + DescribeMessage(m);
      if (m.msg_type() == eraftpb::MsgAppend && rejected && m.index() < rejected_index) {
        retried_lower = true;
      }
      follower.Step(m);
      for (Message& out : ReadMessages(follower)) to_leader.push_back(std::move(out));
    }
    to_follower.clear();
    for (const Message& m : to_leader) {
      trace += "\n    " + DescribeMessage(m);
      if (m.msg_type() == eraftpb::MsgAppendResponse && m.reject() && !rejected) {
        rejected = true;
        rejected_index = first_next - 1;
      }
      leader.Step(m);
      for (Message& out : ReadMessages(leader)) to_follower.push_back(std::move(out));
    }
  }
  ASSERT_TRUE(rejected) << "follower 2 (log [1@1]) cannot accept entries after entry "
                        << first_next - 1 << ", which it lacks: it must refuse. Messages:" << trace
                        << "\n  follower: " << DescribeNode(follower);
  EXPECT_TRUE(retried_lower)
      << "§5.3: after a rejection, the leader decrements nextIndex and retries the "
         "AppendEntries RPC with an earlier entry (index below "
      << rejected_index << "). Messages:" << trace << "\n  leader: " << DescribeNode(leader);
  EXPECT_EQ(DescribeEntriesWithData(follower.raft_log.allEntries()),
            DescribeEntriesWithData(leader.raft_log.allEntries()))
      << "§5.3: eventually nextIndex reaches a point where the logs match and the follower gets "
         "every entry it lacks. Messages:"
      << trace << "\n  leader: " << DescribeNode(leader)
      << "\n  follower: " << DescribeNode(follower);
  EXPECT_EQ(leader.prs.at(2).match, leader.raft_log.LastIndex())
      << "once the follower has everything, the leader's match for it is its last index. "
      << DescribeNode(leader);
}

// A lagging follower's heartbeat response tells the leader to send it what it is missing.
TEST(Raft2AB, HeartbeatResponseFromLaggingFollowerTriggersAppend) {
  auto n = NewTestNode(1, kThree);
  Raft& r = *n;
  ASSERT_TRUE(MakeLeaderWithCommittedNoop(n));
  r.Step(test::Propose(1, "x"));
  ReadMessages(r);  // lost on the way to both followers
  Message resp = MakeMessage(2, 1, eraftpb::MsgHeartbeatResponse, 1);
  r.Step(resp);
  std::vector<Message> sent = ReadMessages(r);
  bool appended = false;
  for (const Message& m : sent) {
    appended |= m.msg_type() == eraftpb::MsgAppend && m.to() == 2 && m.entries_size() > 0;
  }
  EXPECT_TRUE(appended) << "follower 2 has not acknowledged entry 2 (the MsgAppend carrying it "
                           "was lost); when it answers a heartbeat, the leader must send it a "
                           "MsgAppend with what it lacks. Got "
                        << DescribeMessage(resp) << Saw(r, sent);
}

// The commit rule over a table of follower progress: the highest index of the current term
// that a majority (the leader included) has.
TEST(Raft2AB, CommitByMajorityMatch) {
  struct Case {
    size_t size;
    std::vector<uint64_t> follower_match;  // for nodes 2, 3, ...
    uint64_t want;
  };
  // Leader log [1@1 2@1 3@2(no-op)]: only index 3 is of the current term.
  const std::vector<Case> cases = {
      {2, {3}, 3},          {2, {2}, 0},          {3, {3, 0}, 3},       {3, {2, 2}, 0},
      {3, {1, 1}, 0},       {4, {3, 0, 0}, 0},    {4, {3, 3, 0}, 3},    {4, {3, 2, 2}, 0},
      {5, {3, 0, 0, 0}, 0}, {5, {3, 3, 0, 0}, 3}, {5, {3, 2, 2, 2}, 0}, {5, {2, 2, 2, 2}, 0},
      {5, {3, 3, 3, 3}, 3}, {5, {2, 3, 1, 3}, 3}, {4, {2, 3, 3}, 3},
  };
  for (const Case& c : cases) {
    auto n = NewTestNode(1, test::IdsBySize(c.size), 10, 1, EntriesWithTerms({1, 1}), HardState(1));
    Raft& r = *n;
    r.becomeCandidate();
    r.becomeLeader();
    ASSERT_EQ(r.state, StateType::kLeader) << DescribeNode(r);
    ASSERT_EQ(r.raft_log.LastIndex(), 3u)
        << "the new leader's no-op goes at index 3" << DescribeNode(r);
    ReadMessages(r);
    std::string acks;
    for (size_t i = 0; i < c.follower_match.size(); ++i) {
      if (c.follower_match[i] == 0) continue;
      Message ack = MakeMessage(i + 2, 1, eraftpb::MsgAppendResponse, r.term);
      ack.set_index(c.follower_match[i]);
      acks += "\n    " + DescribeMessage(ack);
      r.Step(ack);
    }
    EXPECT_EQ(r.raft_log.committed, c.want)
        << "§5.3/§5.4.2: the leader commits the highest index N of its current term such that "
           "a majority of match indexes (its own included) are >= N. Leader 1 of a group of "
        << c.size << ", log [1@1 2@1 3@2], acknowledgements:" << (acks.empty() ? " none" : acks)
        << Saw(r, r.msgs);
  }
}

// ---------------------------------------------------------------------------------------
// Votes and logs (§5.4.1)

TEST(Raft2AB, VoteRequestCarriesLastLogTermAndIndex) {
  struct Case {
    std::vector<Entry> ents;
    uint64_t want_term;
  };
  for (const Case& c :
       std::vector<Case>{{{MakeEntry(1, 1)}, 2}, {{MakeEntry(1, 1), MakeEntry(2, 2)}, 3}}) {
    const int et = 10;
    auto n = NewTestNode(1, kThree, et, 1);
    Raft& r = *n;
    r.Step(Append(2, 1, c.want_term - 1, 0, 0, 0, c.ents));
    ReadMessages(r);
    std::vector<Message> msgs;
    for (int i = 0; i < 2 * et && msgs.empty(); ++i) {
      r.tick();
      msgs = ReadMessages(r);
    }
    msgs = SortedByReceiver(msgs);
    ASSERT_EQ(msgs.size(), 2u) << "a follower that hears nothing for 2 * election_tick ticks "
                                  "campaigns, sending MsgRequestVote to 2 and 3"
                               << Saw(r, msgs);
    const Entry& last = c.ents.back();
    for (size_t i = 0; i < msgs.size(); ++i) {
      const Message& m = msgs[i];
      EXPECT_EQ(m.msg_type(), eraftpb::MsgRequestVote) << Saw(r, msgs);
      EXPECT_EQ(m.to(), i + 2) << Saw(r, msgs);
      EXPECT_EQ(m.term(), c.want_term) << Saw(r, msgs);
      EXPECT_EQ(m.index(), last.index())
          << "§5.4.1: a RequestVote carries the index of the candidate's last log entry"
          << Saw(r, msgs);
      EXPECT_EQ(m.log_term(), last.term())
          << "§5.4.1: a RequestVote carries the term of the candidate's last log entry"
          << Saw(r, msgs);
    }
  }
}

// The up-to-date rule: grant only to a candidate whose log is at least as up to date —
// a later last term, or the same last term and at least as long (§5.4.1).
TEST(Raft2AB, RecvMsgRequestVote) {
  struct Case {
    StateType state;
    uint64_t index, log_term, vote;
    bool reject;
  };
  const std::vector<Case> cases = {
      {StateType::kFollower, 0, 0, None, true},  {StateType::kFollower, 0, 1, None, true},
      {StateType::kFollower, 0, 2, None, true},  {StateType::kFollower, 0, 3, None, false},
      {StateType::kFollower, 1, 0, None, true},  {StateType::kFollower, 1, 1, None, true},
      {StateType::kFollower, 1, 2, None, true},  {StateType::kFollower, 1, 3, None, false},
      {StateType::kFollower, 2, 0, None, true},  {StateType::kFollower, 2, 1, None, true},
      {StateType::kFollower, 2, 2, None, false}, {StateType::kFollower, 2, 3, None, false},
      {StateType::kFollower, 3, 0, None, true},  {StateType::kFollower, 3, 1, None, true},
      {StateType::kFollower, 3, 2, None, false}, {StateType::kFollower, 3, 3, None, false},
      {StateType::kFollower, 3, 2, 2, false},    {StateType::kFollower, 3, 2, 1, true},
      {StateType::kLeader, 3, 3, 1, true},       {StateType::kCandidate, 3, 3, 1, true},
  };
  for (const Case& c : cases) {
    // The voter's log is [1@2 2@2]; its term is the candidate's (so only logs and votes
    // decide, not terms).
    const uint64_t term = std::max<uint64_t>(2, c.log_term);
    auto n = NewTestNode(1, {1}, 10, 1, EntriesWithTerms({2, 2}), HardState(term, c.vote));
    Raft& r = *n;
    r.term = term;
    r.vote = c.vote;
    r.state = c.state;
    Message m = MakeMessage(2, 1, eraftpb::MsgRequestVote, term);
    m.set_index(c.index);
    m.set_log_term(c.log_term);
    r.Step(m);
    std::vector<Message> sent = ReadMessages(r);
    ASSERT_EQ(sent.size(), 1u) << "a vote request gets exactly one answer" << Saw(r, sent);
    EXPECT_EQ(sent[0].msg_type(), eraftpb::MsgRequestVoteResponse) << Saw(r, sent);
    std::string why;
    if (c.vote != None && c.vote != 2) {
      why = "it already voted for " + std::to_string(c.vote) + " in this term";
    } else if (c.log_term != 2) {
      why = c.log_term > 2 ? "the candidate's last term is later"
                           : "the voter's last term is "
                             "later";
    } else {
      why = c.index >= 2 ? "same last term, candidate's log as long or longer"
                         : "same last term, candidate's log shorter";
    }
    EXPECT_EQ(sent[0].reject(), c.reject)
        << "§5.2/§5.4.1: node 1 (" << StateName(c.state) << ", term " << term << ", vote " << c.vote
        << ", log [1@2 2@2]) got a request from a candidate whose last entry is " << c.index << "@"
        << c.log_term << ": " << why << ", so it must " << (c.reject ? "refuse" : "grant")
        << Saw(r, sent);
  }
}

// A newly elected leader with an up-to-date log overwrites the conflicting entries of others.
TEST(Raft2AB, LeaderElectionOverwriteNewerLogs) {
  using P = Network::Peer;
  auto voted = [](uint64_t id, uint64_t vote, uint64_t term) {
    auto storage = std::make_unique<MemoryStorage>();
    auto r = test::NewVotedRaft(id, test::IdsBySize(5), vote, term, storage.get());
    return P::Of(std::move(r), std::move(storage));
  };
  const auto ids = test::IdsBySize(5);
  std::vector<P> peers;
  peers.push_back(P::WithLog(1, ids, {1}));  // won the first election
  peers.push_back(P::WithLog(2, ids, {1}));  // got node 1's entry
  peers.push_back(P::WithLog(3, ids, {2}));  // won the second election
  peers.push_back(voted(4, 3, 2));           // voted for 3, got no entries
  peers.push_back(voted(5, 3, 2));           // voted for 3, got no entries
  Network nt(std::move(peers), testutil::TestSeed());
  Raft& n1 = nt.node(1);

  nt.Send(test::Hup(1));
  EXPECT_EQ(n1.state, StateType::kFollower)
      << "node 1 campaigns at term 2 but 3, 4 and 5 refuse (3 has a later log, 4 and 5 voted "
         "for 3 in term 2): a majority refused, so it returns to follower"
      << Nodes(nt) << "\n  messages:\n"
      << nt.RecentTrace(30);
  EXPECT_EQ(n1.term, 2u) << Nodes(nt);

  nt.Send(test::Hup(1));
  ASSERT_EQ(n1.state, StateType::kLeader)
      << "node 1 campaigns again at term 3; 2, 4 and 5 have no later log and no vote in term "
         "3: it wins"
      << Nodes(nt) << "\n  messages:\n"
      << nt.RecentTrace(30);
  EXPECT_EQ(n1.term, 3u) << Nodes(nt);
  for (uint64_t id : nt.ids()) {
    EXPECT_EQ(DescribeEntriesWithData(nt.node(id).raft_log.allEntries()), "[1@1 2@3]")
        << "§5.3: the leader forces followers to duplicate its log; node 3's entry 1@2 (never "
           "committed) is overwritten by the leader's 1@1, and everyone gets the no-op 2@3"
        << Nodes(nt) << "\n  messages:\n"
        << nt.RecentTrace(30);
  }
}

// Figure 7: a new leader brings each of the six possible follower logs in line with its own.
TEST(Raft2AB, LeaderSyncFollowerLog) {
  const std::vector<uint64_t> leader_log = {1, 1, 1, 4, 4, 5, 5, 6, 6, 6};
  const std::map<std::string, std::vector<uint64_t>> followers = {
      {"(a) missing entries", {1, 1, 1, 4, 4, 5, 5, 6, 6}},
      {"(b) missing entries", {1, 1, 1, 4}},
      {"(c) extra uncommitted entry", {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6}},
      {"(d) extra uncommitted entries", {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7}},
      {"(e) missing and extra entries", {1, 1, 1, 4, 4, 4, 4}},
      {"(f) missing and extra entries", {1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3}},
  };
  const uint64_t term = 8;
  for (const auto& [picture, follower_log] : followers) {
    SCOPED_TRACE(picture);
    std::vector<Network::Peer> peers;
    peers.push_back(Network::Peer::Of(NewTestNode(1, kThree, 10, 1, EntriesWithTerms(leader_log),
                                                  HardState(term, None, leader_log.size()))));
    peers.push_back(Network::Peer::Of(
        NewTestNode(2, kThree, 10, 1, EntriesWithTerms(follower_log), HardState(term - 1))));
    peers.push_back(Network::Peer::BlackHole());
    Network nt(std::move(peers), testutil::TestSeed());
    nt.Send(test::Hup(1));
    // Node 3 is down; its vote arrives by hand (follower 2 may refuse: some of its logs are
    // more up to date than the leader's).
    nt.Send(MakeMessage(3, 1, eraftpb::MsgRequestVoteResponse, term + 1));
    ASSERT_EQ(nt.node(1).state, StateType::kLeader)
        << "node 1 has its own vote and node 3's: it must lead term " << term + 1 << Nodes(nt)
        << "\n  messages:\n"
        << nt.RecentTrace(30);
    nt.Send(test::Propose(1, "somedata"));
    EXPECT_EQ(LogPicture(nt.node(2).raft_log), LogPicture(nt.node(1).raft_log))
        << "Figure 7 " << picture
        << ": §5.3, the leader handles inconsistencies by forcing the follower's log to "
           "duplicate its own; after its no-op and one proposal, the follower's log (and "
           "commit index) must equal the leader's"
        << Nodes(nt) << "\n  messages:\n"
        << nt.RecentTrace(40);
  }
}

// ---------------------------------------------------------------------------------------
// Terms and stale messages

TEST(Raft2AB, AllServerStepdown) {
  struct Case {
    StateType state;
    size_t want_entries;
  };
  for (const Case& c : std::vector<Case>{
           {StateType::kFollower, 0}, {StateType::kCandidate, 0}, {StateType::kLeader, 1}}) {
    SCOPED_TRACE(StateName(c.state));
    auto n = NewTestNode(1, kThree);
    Raft& r = *n;
    switch (c.state) {
      case StateType::kFollower:
        r.becomeFollower(1, None);
        break;
      case StateType::kCandidate:
        r.becomeCandidate();
        break;
      case StateType::kLeader:
        r.becomeCandidate();
        r.becomeLeader();
        break;
    }
    for (MessageType t : {eraftpb::MsgRequestVote, eraftpb::MsgAppend}) {
      Message m = MakeMessage(2, 1, t, 3);
      m.set_log_term(3);
      r.Step(m);
      std::vector<Message> sent = ReadMessages(r);
      EXPECT_EQ(r.state, StateType::kFollower)
          << "§5.1: any node that sees a higher term becomes a follower; got " << DescribeMessage(m)
          << Saw(r, sent);
      EXPECT_EQ(r.term, 3u) << "and adopts that term; got " << DescribeMessage(m) << Saw(r, sent);
      EXPECT_EQ(r.raft_log.allEntries().size(), c.want_entries)
          << "the log stays as it was (a leader keeps its no-op; the MsgAppend does not match)"
          << Saw(r, sent);
      const uint64_t want_lead = t == eraftpb::MsgAppend ? 2 : None;
      EXPECT_EQ(r.lead, want_lead)
          << (t == eraftpb::MsgAppend
                  ? "a MsgAppend comes from the leader of its term: follow node 2"
                  : "a vote request says nothing about who leads the new term: lead is None")
          << "; got " << DescribeMessage(m) << Saw(r, sent);
    }
  }
}

// A candidate that receives the leader's entries returns to follower and takes them.
TEST(Raft2AB, CandidateAcceptsEntriesFromLeaderOfItsTerm) {
  auto n = NewTestNode(1, kThree);
  Raft& r = *n;
  r.Step(test::Hup(1));
  ASSERT_EQ(r.state, StateType::kCandidate) << DescribeNode(r);
  ReadMessages(r);
  Message m = Append(2, 1, r.term, 0, 0, 1, {MakeEntry(1, 1, "x")});
  r.Step(m);
  std::vector<Message> sent = ReadMessages(r);
  EXPECT_EQ(r.state, StateType::kFollower)
      << "§5.2: a candidate that gets AppendEntries from a leader of its term steps down"
      << Saw(r, sent);
  EXPECT_EQ(r.lead, 2u) << Saw(r, sent);
  EXPECT_EQ(DescribeEntriesWithData(r.raft_log.allEntries()), "[1@1:\"x\"]")
      << "and handles the MsgAppend as a follower: the entry is appended" << Saw(r, sent);
  EXPECT_EQ(r.raft_log.committed, 1u) << Saw(r, sent);
  ASSERT_EQ(sent.size(), 1u) << Saw(r, sent);
  EXPECT_FALSE(sent[0].reject()) << Saw(r, sent);
}

// Messages of an older term change nothing: not the log, not the commit index, and a
// leader does not count an old acknowledgement towards a commit.
TEST(Raft2AB, StepIgnoresOldTermMessages) {
  {
    auto n = NewTestNode(1, kThree, 10, 1, EntriesWithTerms({1, 2}), HardState(3));
    Raft& r = *n;
    r.becomeFollower(3, 3);
    const std::string before = LogPicture(r.raft_log);
    Message m = Append(2, 1, 2, 2, 2, 3, {MakeEntry(3, 2, "stale")});
    r.Step(m);
    std::vector<Message> sent = ReadMessages(r);
    EXPECT_EQ(LogPicture(r.raft_log), before)
        << "§5.1: a MsgAppend from an older term (a deposed leader) must be refused: it must "
           "neither append nor commit. Follower at term 3 got "
        << DescribeMessage(m) << Saw(r, sent);
    EXPECT_EQ(r.lead, 3u) << Saw(r, sent);
  }
  {
    auto n = NewTestNode(1, kThree, 10, 1, EntriesWithTerms({1, 2}), HardState(2));
    Raft& r = *n;
    r.becomeCandidate();
    r.becomeLeader();
    ASSERT_EQ(r.state, StateType::kLeader) << DescribeNode(r);
    ReadMessages(r);
    Message old_ack = MakeMessage(2, 1, eraftpb::MsgAppendResponse, 2);
    old_ack.set_index(3);
    r.Step(old_ack);
    std::vector<Message> sent = ReadMessages(r);
    EXPECT_EQ(r.raft_log.committed, 0u)
        << "an MsgAppendResponse of an older term answers some other leader's request: leader "
           "1 of term 3 must not count it towards committing its no-op. Got "
        << DescribeMessage(old_ack) << Saw(r, sent);
    EXPECT_EQ(r.state, StateType::kLeader) << Saw(r, sent);
  }
}

// ---------------------------------------------------------------------------------------
// Groups on a network

TEST(Raft2AB, SingleNodeCommit) {
  Network nt(1, testutil::TestSeed());
  nt.Send(test::Hup(1));
  nt.Send(test::Propose(1, "some data"));
  nt.Send(test::Propose(1, "some data"));
  EXPECT_EQ(nt.node(1).raft_log.committed, 3u)
      << "a group of one is its own majority: its no-op and both proposals commit at once"
      << Nodes(nt);
}

void CheckLogReplication(const std::vector<Message>& msgs, uint64_t want_committed,
                         const std::string& picture) {
  Network nt(3, testutil::TestSeed());
  ASSERT_TRUE(Elect(nt, 1));
  std::vector<std::string> proposed;
  for (const Message& m : msgs) {
    nt.Send(m);
    if (m.msg_type() == eraftpb::MsgPropose) proposed.push_back(m.entries(0).data());
  }
  for (uint64_t id : nt.ids()) {
    Raft& r = nt.node(id);
    EXPECT_EQ(r.raft_log.committed, want_committed)
        << picture << ": every node must have committed " << want_committed << Nodes(nt)
        << "\n  messages:\n"
        << nt.RecentTrace(30);
    std::vector<std::string> applied;
    for (const Entry& e : test::PersistAndApply(r, *nt.storage(id))) {
      if (!e.data().empty()) applied.push_back(e.data());
    }
    EXPECT_EQ(applied, proposed) << picture << ": node " << id
                                 << " must apply every proposal, in order" << Nodes(nt);
  }
}

TEST(Raft2AB, LogReplicationOneProposal) {
  CheckLogReplication({test::Propose(1, "somedata")}, 2, "leader 1 elected, one proposal to it");
}

TEST(Raft2AB, LogReplicationAcrossLeaderChange) {
  CheckLogReplication({test::Propose(1, "somedata"), test::Hup(2), test::Propose(2, "more")}, 4,
                      "leader 1 elected, one proposal to it, node 2 elected, one proposal to it");
}

// Replication over lossy links: whatever is lost, heartbeats bring every follower back, and
// no two nodes ever disagree on a committed entry (§5.3 Log Matching, §5.4 safety).
TEST(Raft2AB, LogReplicationWithMessageLoss) {
  for (uint64_t run = 0; run < 3; ++run) {
    const uint64_t seed = testutil::DeriveSeed(run);
    SCOPED_TRACE("run " + std::to_string(run) + ", network seed " + std::to_string(seed));
    Network nt(5, seed);
    ASSERT_TRUE(Elect(nt, 1));
    for (uint64_t id = 2; id <= 5; ++id) {
      nt.Drop(1, id, 0.3);
      nt.Drop(id, 1, 0.3);
    }
    const int proposals = 30;
    for (int i = 0; i < proposals; ++i) {
      nt.Send(test::Propose(1, "cmd" + std::to_string(i)));
      if (i % 3 == 2) nt.Tick(1);  // a heartbeat round (followers never tick: no elections)
      const std::vector<Entry> leader_log = nt.node(1).raft_log.allEntries();
      for (uint64_t id = 2; id <= 5; ++id) {
        const Raft& f = nt.node(id);
        std::vector<Entry> ents = f.raft_log.allEntries();
        const uint64_t upto = std::min<uint64_t>(f.raft_log.committed, ents.size());
        ASSERT_LE(f.raft_log.committed, f.raft_log.LastIndex())
            << "a node can only commit entries it has" << Nodes(nt);
        ASSERT_LE(upto, leader_log.size()) << Nodes(nt);
        ents.resize(upto);
        std::vector<Entry> prefix(leader_log.begin(), leader_log.begin() + upto);
        ASSERT_EQ(DescribeEntriesWithData(ents), DescribeEntriesWithData(prefix))
            << "§5.4: the entries a follower has committed must be the leader's. After " << i + 1
            << " proposals over links losing 30% of messages:" << Nodes(nt) << "\n  messages:\n"
            << nt.RecentTrace(30);
      }
    }
    ASSERT_EQ(nt.node(1).state, StateType::kLeader) << Nodes(nt);
    nt.Recover();
    const uint64_t last = nt.node(1).raft_log.LastIndex();
    bool caught_up = false;
    for (int round = 0; round < 10 && !caught_up; ++round) {
      nt.Tick(1);
      caught_up = true;
      for (uint64_t id : nt.ids()) caught_up &= nt.node(id).raft_log.committed == last;
    }
    EXPECT_TRUE(caught_up) << "once the links heal, heartbeats (10 rounds) must bring every "
                              "follower's log and commit index up to the leader's (last index "
                           << last << ")" << Nodes(nt) << "\n  messages:\n"
                           << nt.RecentTrace(30);
    for (uint64_t id = 2; id <= 5; ++id) {
      EXPECT_EQ(LogPicture(nt.node(id).raft_log), LogPicture(nt.node(1).raft_log))
          << "node " << id << " must end with the leader's log" << Nodes(nt);
    }
  }
}

TEST(Raft2AB, CommitWithoutNewTermEntry) {
  Network nt(5, testutil::TestSeed());
  ASSERT_TRUE(Elect(nt, 1));
  // Node 1 reaches only node 2.
  nt.Cut(1, 3);
  nt.Cut(1, 4);
  nt.Cut(1, 5);
  nt.Send(test::Propose(1, "some data"));
  nt.Send(test::Propose(1, "some data"));
  EXPECT_EQ(nt.node(1).raft_log.committed, 1u)
      << "leader 1 reaches only node 2 (2 of 5): its proposals cannot commit" << Nodes(nt);
  nt.Recover();
  // Node 2 has every entry; it wins term 2, and committing its no-op commits the rest.
  nt.Send(test::Hup(2));
  EXPECT_EQ(nt.node(2).state, StateType::kLeader) << Nodes(nt) << "\n" << nt.RecentTrace(30);
  EXPECT_EQ(nt.node(1).raft_log.committed, 4u)
      << "§5.4.2: the new leader (node 2, term 2) commits the old entries 2 and 3 by "
         "committing its own no-op (entry 4); node 1 must learn commit 4"
      << Nodes(nt) << "\n  messages:\n"
      << nt.RecentTrace(30);
}

TEST(Raft2AB, CommitWithHeartbeat) {
  Network nt(5, testutil::TestSeed());
  ASSERT_TRUE(Elect(nt, 1));
  nt.Isolate(5);
  nt.Send(test::Propose(1, "some data"));
  nt.Send(test::Propose(1, "some data"));
  Raft& n5 = nt.node(5);
  EXPECT_EQ(n5.raft_log.committed, 1u) << "node 5 is cut off: it has only the no-op" << Nodes(nt);
  nt.Recover();
  nt.Send(test::Beat(1));
  EXPECT_EQ(n5.raft_log.committed, 3u)
      << "after the network heals, one heartbeat round must bring node 5 up to date: its "
         "answer shows the leader it lacks entries, the leader sends them with its commit index"
      << Nodes(nt) << "\n  messages:\n"
      << nt.RecentTrace(30);
}

TEST(Raft2AB, DuelingCandidates) {
  Network nt(3, testutil::TestSeed());
  nt.Cut(1, 3);
  nt.Send(test::Hup(1));
  nt.Send(test::Hup(3));
  ASSERT_EQ(nt.node(1).state, StateType::kLeader)
      << "node 1 gets node 2's vote: it leads term 1" << Nodes(nt) << "\n"
      << nt.RecentTrace(30);
  ASSERT_EQ(nt.node(3).state, StateType::kCandidate)
      << "node 3 gets only its own vote (2 voted for 1): it stays a candidate" << Nodes(nt);
  nt.Recover();
  // Node 3 campaigns at term 2: its term deposes leader 1, but its log (empty) is behind
  // theirs ([1@1]), so both refuse and it returns to follower.
  nt.Send(test::Hup(3));
  const std::string want_log = "committed=1 [1@1]";
  for (uint64_t id : {1, 2}) {
    const Raft& r = nt.node(id);
    EXPECT_EQ(r.state, StateType::kFollower) << Nodes(nt) << "\n" << nt.RecentTrace(30);
    EXPECT_EQ(r.term, 2u) << Nodes(nt);
    EXPECT_EQ(LogPicture(r.raft_log), want_log)
        << "§5.4.1: node 3's vote request at term 2 moves everyone to term 2, but its log is "
           "behind: nobody votes for it and the committed no-op stays"
        << Nodes(nt);
  }
  const Raft& c = nt.node(3);
  EXPECT_EQ(c.state, StateType::kFollower)
      << "a majority refused node 3: it returns to follower" << Nodes(nt) << "\n"
      << nt.RecentTrace(30);
  EXPECT_EQ(c.term, 2u) << Nodes(nt);
  EXPECT_EQ(LogPicture(c.raft_log), "committed=0 []") << Nodes(nt);
}

TEST(Raft2AB, CandidateConcede) {
  Network nt(3, testutil::TestSeed());
  nt.Isolate(1);
  nt.Send(test::Hup(1));
  nt.Send(test::Hup(3));
  nt.Recover();
  nt.Send(test::Beat(3));  // candidate 1 hears from leader 3 of its own term
  nt.Send(test::Propose(3, "force follower"));
  nt.Send(test::Beat(3));  // flush the commit
  const Raft& a = nt.node(1);
  EXPECT_EQ(a.state, StateType::kFollower)
      << "§5.2: candidate 1 (term 1) hears a heartbeat from leader 3 of term 1: it concedes"
      << Nodes(nt) << "\n"
      << nt.RecentTrace(30);
  EXPECT_EQ(a.term, 1u) << Nodes(nt);
  const std::string want = "committed=2 [1@1 2@1:\"force follower\"]";
  for (uint64_t id : nt.ids()) {
    EXPECT_EQ(LogPicture(nt.node(id).raft_log), want)
        << "every node ends with leader 3's no-op and the proposal, committed" << Nodes(nt)
        << "\n  messages:\n"
        << nt.RecentTrace(30);
  }
}

TEST(Raft2AB, OldMessages) {
  Network nt(3, testutil::TestSeed());
  ASSERT_TRUE(Elect(nt, 1));
  ASSERT_TRUE(Elect(nt, 2));
  ASSERT_TRUE(Elect(nt, 1));  // node 1 leads term 3; log [1@1 2@2 3@3]
  // A deposed leader of term 2 tries to append; it must be ignored.
  Message stale = Append(2, 1, 2, 2, 2, 0, {MakeEntry(3, 2)});
  nt.Send(stale);
  nt.Send(test::Propose(1, "somedata"));
  const std::string want = "committed=4 [1@1 2@2 3@3 4@3:\"somedata\"]";
  for (uint64_t id : nt.ids()) {
    EXPECT_EQ(LogPicture(nt.node(id).raft_log), want)
        << "three elections (terms 1, 2, 3) leave one no-op each; the stale "
        << DescribeMessage(stale) << " must change nothing; then a proposal commits everywhere"
        << Nodes(nt) << "\n  messages:\n"
        << nt.RecentTrace(30);
  }
}

TEST(Raft2AB, Proposal) {
  using P = Network::Peer;
  struct Case {
    std::string picture;
    std::vector<P (*)()> peers;
    bool success;
  };
  const std::vector<Case> cases = {
      {"3 nodes, all up", {P::New, P::New, P::New}, true},
      {"3 nodes, node 3 down", {P::New, P::New, P::BlackHole}, true},
      {"3 nodes, 2 and 3 down", {P::New, P::BlackHole, P::BlackHole}, false},
      {"4 nodes, 2 and 3 down", {P::New, P::BlackHole, P::BlackHole, P::New}, false},
      {"5 nodes, 2 and 3 down", {P::New, P::BlackHole, P::BlackHole, P::New, P::New}, true},
  };
  for (const Case& c : cases) {
    std::vector<P> peers;
    for (auto make : c.peers) peers.push_back(make());
    Network nt(std::move(peers), testutil::TestSeed());
    nt.Send(test::Hup(1));
    nt.Send(test::Propose(1, "somedata"));
    const std::string want = c.success ? "committed=2 [1@1 2@1:\"somedata\"]" : "committed=0 []";
    for (uint64_t id : nt.ids()) {
      const Raft* r = nt.raft(id);
      if (r == nullptr) continue;
      EXPECT_EQ(LogPicture(r->raft_log), want)
          << c.picture << ": "
          << (c.success ? "node 1 wins, and its no-op and the proposal commit everywhere"
                        : "node 1 cannot win without a majority; a candidate drops proposals")
          << Nodes(nt) << "\n  messages:\n"
          << nt.RecentTrace(30);
    }
    EXPECT_EQ(nt.node(1).term, 1u) << c.picture << Nodes(nt);
  }
}

// ---------------------------------------------------------------------------------------
// Faulty networks: late, duplicated and reordered messages

// A MsgAppend held up in the network arrives after the follower has moved on (and
// committed more). It matches the follower's log, so it is accepted — but it must neither cut
// the entries that came after it nor move the commit index back.
TEST(Raft2AB, LateMsgAppendDoesNotTruncateOrUncommit) {
  Network nt(3, testutil::TestSeed());
  ASSERT_TRUE(Elect(nt, 1));
  nt.HoldBack(1, 2, 1.0);  // everything leader 1 sends node 2 is held up
  nt.Send(test::Propose(1, "a"));
  nt.Send(test::Propose(1, "b"));
  ASSERT_EQ(nt.node(1).raft_log.committed, 3u)
      << "nodes 1 and 3 are a majority: the no-op, \"a\" and \"b\" commit" << Nodes(nt)
      << "\n  messages:\n"
      << nt.RecentTrace(30);
  std::vector<Message> late = nt.TakeHeld();
  ASSERT_FALSE(late.empty()) << nt.RecentTrace(30);

  nt.Recover();
  nt.Send(test::Propose(1, "c"));
  nt.Send(test::Beat(1));
  Raft& f = nt.node(2);
  ASSERT_EQ(LogPicture(f.raft_log), LogPicture(nt.node(1).raft_log))
      << "once its link heals, node 2 must catch up with the leader" << Nodes(nt)
      << "\n  messages:\n"
      << nt.RecentTrace(30);
  const std::string caught_up = LogPicture(f.raft_log);

  // The held messages arrive now, newest first, then once more in order.
  std::vector<Message> replay(late.rbegin(), late.rend());
  replay.insert(replay.end(), late.begin(), late.end());
  for (const Message& m : replay) {
    nt.Send(m);
    ASSERT_EQ(LogPicture(f.raft_log), caught_up)
        << "§5.3: node 2 had " << caught_up << " when this late message from leader 1 arrived:\n  "
        << DescribeMessage(m)
        << "\n  Its entries all match node 2's log: nothing conflicts, so nothing may be cut "
           "(Figure 2, AppendEntries rule 3 deletes only on a conflict), and a commit index "
           "never moves back."
        << Nodes(nt) << "\n  messages:\n"
        << nt.RecentTrace(10);
  }
}

// Replication over links that duplicate and reorder messages (and lose a few): after every
// single delivery no node's commit index has moved back, no committed entry has changed, and
// in the end every node holds the leader's log.
TEST(Raft2AB, ReplicationOnDuplicatingReorderingNetwork) {
  for (uint64_t run = 0; run < 3; ++run) {
    const uint64_t seed = testutil::DeriveSeed(100 + run);
    SCOPED_TRACE("run " + std::to_string(run) + ", network seed " + std::to_string(seed));
    Network nt(5, seed);
    ASSERT_TRUE(Elect(nt, 1));
    for (uint64_t from : nt.ids()) {
      for (uint64_t to : nt.ids()) {
        if (from == to) continue;
        nt.Duplicate(from, to, 0.3);
        nt.Reorder(from, to, 0.5, 20);
        nt.Drop(from, to, 0.1);
      }
    }
    std::map<uint64_t, uint64_t> commit_seen;         // node -> highest commit seen
    std::map<uint64_t, std::string> committed_entry;  // index -> entry, once committed
    std::map<uint64_t, uint64_t> checked;  // node -> committed entries recorded up to here
    std::string violation;
    nt.SetObserver([&](const Message& delivered) {
      if (!violation.empty()) return;
      for (uint64_t id : nt.ids()) {
        const RaftLog& log = nt.node(id).raft_log;
        if (log.committed < commit_seen[id]) {
          violation = "node " + std::to_string(id) + "'s commit index went back from " +
                      std::to_string(commit_seen[id]) + " to " + std::to_string(log.committed);
        }
        commit_seen[id] = std::max(commit_seen[id], log.committed);
        if (log.committed > log.LastIndex()) {
          violation = "node " + std::to_string(id) + " committed " + std::to_string(log.committed) +
                      " but its log ends at " + std::to_string(log.LastIndex());
        }
        // Newly committed entries are recorded; the entry at the commit index must still be
        // the one recorded (by Log Matching, so is everything before it). Cheap enough to run
        // after every delivery.
        if (log.committed > checked[id]) {
          for (const Entry& e : log.allEntries()) {
            if (e.index() <= checked[id] || e.index() > log.committed) continue;
            const std::string text = DescribeEntriesWithData({e});
            auto [it, fresh] = committed_entry.emplace(e.index(), text);
            if (!fresh && it->second != text) {
              violation = "entry " + std::to_string(e.index()) + " was committed as " + it->second +
                          " but node " + std::to_string(id) + " has committed " + text;
            }
          }
          checked[id] = log.committed;
        }
        if (log.committed > 0 && violation.empty()) {
          Result<uint64_t> t = log.Term(log.committed);
          const std::string& was = committed_entry[log.committed];
          const std::string want_prefix = "[" + std::to_string(log.committed) + "@";
          if (!t.ok() || was.rfind(want_prefix + std::to_string(t.value()), 0) != 0) {
            violation = "node " + std::to_string(id) + "'s committed entry " +
                        std::to_string(log.committed) + " changed: it was " + was + ", now " +
                        (t.ok() ? "term " + std::to_string(t.value()) : t.error().ToString());
          }
        }
        if (!violation.empty()) {
          violation += "\n  right after delivering " + DescribeMessage(delivered);
          return;
        }
      }
    });
    // Proposals in batches of three, so that several MsgAppends are in flight at once and
    // can overtake each other.
    for (int i = 0; i < 30 && violation.empty(); i += 3) {
      std::vector<Message> batch;
      for (int k = i; k < i + 3; ++k) batch.push_back(test::Propose(1, "cmd" + std::to_string(k)));
      nt.Send(batch);
      nt.Tick(1);  // heartbeats; followers never tick, so no elections
    }
    ASSERT_TRUE(violation.empty())
        << "§5.3/§5.4 on a network that duplicates 30%, reorders 50% and loses 10% of the "
           "messages: "
        << violation << Nodes(nt) << "\n  messages:\n"
        << nt.RecentTrace(30);
    ASSERT_EQ(nt.node(1).state, StateType::kLeader) << Nodes(nt);
    nt.Recover();
    const uint64_t last = nt.node(1).raft_log.LastIndex();
    for (int round = 0; round < 10; ++round) nt.Tick(1);
    EXPECT_TRUE(violation.empty()) << violation << Nodes(nt);
    for (uint64_t id = 2; id <= 5; ++id) {
      EXPECT_EQ(LogPicture(nt.node(id).raft_log), LogPicture(nt.node(1).raft_log))
          << "once the network heals, heartbeats must bring node " << id
          << " to the leader's log and commit index (last index " << last << ")" << Nodes(nt)
          << "\n  messages:\n"
          << nt.RecentTrace(30);
    }
  }
}

}  // namespace
}  // namespace raft
