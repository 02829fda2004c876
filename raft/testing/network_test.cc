// Tests of raft::test::Network's fault model: duplication, hold-back, delay, reordering,
// crashes, restarts and persistence. Not graded, and they pass on the student stubs as on the
// reference: the messages used here (MsgHeartbeatResponse of term 0, tagged in `index`) are
// ones no node answers, and the tests watch what the network delivers, not how nodes react.

#include "raft/testing/network.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "raft/testing/test_raft.h"
#include "raft/util.h"
#include "testutil/seed.h"

namespace raft::test {
namespace {

using eraftpb::Message;

// A message no node answers, told apart by its tag.
Message Tagged(uint64_t from, uint64_t to, uint64_t tag) {
  Message m = MakeMessage(from, to, eraftpb::MsgHeartbeatResponse, 0);
  m.set_index(tag);
  return m;
}

// Puts the messages in node `from`'s outbox and lets the network carry them.
void SendFrom(Network& nt, uint64_t from, const std::vector<Message>& msgs) {
  for (const Message& m : msgs) nt.node(from).msgs.push_back(m);
  nt.Flush(from);
}

std::vector<Message> TaggedRange(uint64_t from, uint64_t to, uint64_t n) {
  std::vector<Message> out;
  for (uint64_t i = 1; i <= n; ++i) out.push_back(Tagged(from, to, i));
  return out;
}

// Records the tag and receiver of every delivery.
struct Watch {
  std::vector<uint64_t> tags;
  std::vector<uint64_t> receivers;
  explicit Watch(Network& nt) {
    nt.SetObserver([this](const Message& m) {
      tags.push_back(m.index());
      receivers.push_back(m.to());
    });
  }
};

std::string Text(const std::vector<uint64_t>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? " " : "") + std::to_string(v[i]);
  return out + "]";
}

TEST(RaftNetwork, NoFaultsDeliversInOrder) {
  Network nt(2, testutil::TestSeed());
  Watch w(nt);
  SendFrom(nt, 1, TaggedRange(1, 2, 5));
  EXPECT_EQ(Text(w.tags), "[1 2 3 4 5]") << nt.RecentTrace();
}

TEST(RaftNetwork, DuplicateDeliversEveryMessageTwice) {
  Network nt(2, testutil::TestSeed());
  nt.Duplicate(1, 2, 1.0);
  Watch w(nt);
  SendFrom(nt, 1, TaggedRange(1, 2, 3));
  EXPECT_EQ(Text(w.tags), "[1 1 2 2 3 3]") << nt.RecentTrace();
}

TEST(RaftNetwork, DuplicateOnlyOnItsLink) {
  Network nt(3, testutil::TestSeed());
  nt.Duplicate(1, 2, 1.0);
  Watch w(nt);
  SendFrom(nt, 1, {Tagged(1, 3, 7)});
  SendFrom(nt, 2, {Tagged(2, 1, 8)});
  EXPECT_EQ(Text(w.tags), "[7 8]") << nt.RecentTrace();
}

TEST(RaftNetwork, DuplicateFractionIsSeeded) {
  auto run = [](uint64_t seed) {
    Network nt(2, seed);
    nt.Duplicate(1, 2, 0.5);
    Watch w(nt);
    SendFrom(nt, 1, TaggedRange(1, 2, 200));
    return w.tags;
  };
  const uint64_t seed = testutil::TestSeed();
  std::vector<uint64_t> a = run(seed);
  EXPECT_EQ(a, run(seed)) << "the same seed must give the same run";
  EXPECT_NE(a, run(seed + 1)) << "another seed should give another run";
  EXPECT_GT(a.size(), 260u) << "about half of 200 messages duplicated; got " << a.size();
  EXPECT_LT(a.size(), 340u) << "about half of 200 messages duplicated; got " << a.size();
}

TEST(RaftNetwork, HoldBackKeepsMessagesUntilTaken) {
  Network nt(2, testutil::TestSeed());
  nt.HoldBack(1, 2, 1.0);
  Watch w(nt);
  SendFrom(nt, 1, TaggedRange(1, 2, 3));
  EXPECT_TRUE(w.tags.empty()) << "held messages are not delivered: " << Text(w.tags);
  ASSERT_EQ(nt.held(), 3u) << nt.RecentTrace();

  nt.Recover();  // heals the link, keeps what is held
  SendFrom(nt, 1, {Tagged(1, 2, 9)});
  EXPECT_EQ(Text(w.tags), "[9]") << nt.RecentTrace();
  ASSERT_EQ(nt.held(), 3u);

  std::vector<Message> held = nt.TakeHeld();
  EXPECT_EQ(nt.held(), 0u);
  ASSERT_EQ(held.size(), 3u);
  std::reverse(held.begin(), held.end());
  nt.Send(held);
  EXPECT_EQ(Text(w.tags), "[9 3 2 1]") << "the test delivers held messages when and in the order "
                                          "it likes"
                                       << nt.RecentTrace();
}

TEST(RaftNetwork, DelayByStepsLetsLaterMessagesOvertake) {
  Network nt(3, testutil::TestSeed());
  nt.Delay(1, 2, 2);
  Watch w(nt);
  SendFrom(nt, 1, {Tagged(1, 2, 1), Tagged(1, 3, 2), Tagged(1, 3, 3), Tagged(1, 3, 4)});
  EXPECT_EQ(Text(w.tags), "[2 3 1 4]")
      << "message 1 (to node 2) is delayed by 2 deliveries: 2 and 3 go first" << nt.RecentTrace();
}

TEST(RaftNetwork, DelayedMessageArrivesWithinTheSameFlush) {
  Network nt(2, testutil::TestSeed());
  nt.Delay(1, 2, 100);
  Watch w(nt);
  SendFrom(nt, 1, {Tagged(1, 2, 1)});
  EXPECT_EQ(Text(w.tags), "[1]")
      << "when nothing else is in flight a delayed message goes next: Flush ends quiet"
      << nt.RecentTrace();
}

TEST(RaftNetwork, ReorderShufflesButLosesNothing) {
  auto run = [](uint64_t seed) {
    Network nt(2, seed);
    nt.Reorder(1, 2, 0.5, 5);
    Watch w(nt);
    SendFrom(nt, 1, TaggedRange(1, 2, 50));
    return w.tags;
  };
  const uint64_t seed = testutil::TestSeed();
  std::vector<uint64_t> got = run(seed);
  std::vector<uint64_t> sorted = got;
  std::sort(sorted.begin(), sorted.end());
  std::vector<uint64_t> all;
  for (uint64_t i = 1; i <= 50; ++i) all.push_back(i);
  EXPECT_EQ(sorted, all) << "every message arrives exactly once: " << Text(got);
  EXPECT_NE(got, all) << "half of 50 messages late by 1..5 deliveries must change the order";
  EXPECT_EQ(got, run(seed)) << "the same seed must give the same order";
}

TEST(RaftNetwork, RecoverHealsDuplicateAndDelay) {
  Network nt(2, testutil::TestSeed());
  nt.Duplicate(1, 2, 1.0);
  nt.Delay(1, 2, 3);
  nt.Recover();
  Watch w(nt);
  SendFrom(nt, 1, TaggedRange(1, 2, 3));
  EXPECT_EQ(Text(w.tags), "[1 2 3]") << nt.RecentTrace();
}

TEST(RaftNetwork, CrashLosesMessagesAndKeepsStorage) {
  Network nt(2, testutil::TestSeed());
  MemoryStorage* storage = nt.storage(2);
  nt.Crash(2);
  EXPECT_EQ(nt.raft(2), nullptr);
  EXPECT_EQ(nt.storage(2), storage) << "a crashed node's storage stays for its restart";
  EXPECT_THROW(nt.node(2), std::logic_error);
  Watch w(nt);
  SendFrom(nt, 1, {Tagged(1, 2, 1)});
  EXPECT_TRUE(w.tags.empty()) << "messages to a crashed node are lost" << nt.RecentTrace();
  EXPECT_NE(nt.RecentTrace().find("lost (node down)"), std::string::npos) << nt.RecentTrace();
}

TEST(RaftNetwork, RestartNodeKeepsOnlyWhatWasPersisted) {
  Network nt(3, testutil::TestSeed());
  nt.SetPersistence(true);
  Raft* before = &nt.node(1);
  MemoryStorage* storage = nt.storage(1);
  before->term = 5;
  before->vote = 3;
  nt.Flush(1);       // the network persists before it sends
  before->term = 6;  // never persisted: lost in the crash

  nt.RestartNode(1);
  EXPECT_NE(&nt.node(1), before) << "a restart builds a new node";
  EXPECT_EQ(nt.node(1).id, 1u);
  EXPECT_EQ(nt.storage(1), storage) << "on the same storage";
  eraftpb::HardState hs = storage->InitialState().value().hard_state;
  EXPECT_EQ(hs.term(), 5u) << DescribeHardState(hs);
  EXPECT_EQ(hs.vote(), 3u) << DescribeHardState(hs);
  EXPECT_NE(nt.RecentTrace().find("restarted node 1"), std::string::npos) << nt.RecentTrace();

  // A crashed node restarts the same way.
  nt.Crash(2);
  nt.RestartNode(2);
  EXPECT_NE(nt.raft(2), nullptr);
}

TEST(RaftNetwork, WithoutPersistenceStorageIsLeftAlone) {
  Network nt(2, testutil::TestSeed());
  nt.node(1).term = 4;
  nt.Flush(1);
  EXPECT_EQ(nt.storage(1)->InitialState().value().hard_state.term(), 0u)
      << "persistence is off by default: the network must not write to storage";
}

TEST(RaftNetwork, PersistSavesUnstableEntriesAndHardState) {
  auto n = NewTestNode(1, {1, 2}, 10, 1);
  // On the reference this appends the leader's no-op (an unstable entry); on the stubs it may
  // do nothing. Either way Persist must store exactly what unstableEntries() returns.
  n->becomeCandidate();
  n->becomeLeader();
  std::vector<Network::Peer> peers;
  peers.push_back(Network::Peer::Of(std::move(n)));
  peers.push_back(Network::Peer::New());
  Network two(std::move(peers), testutil::TestSeed());
  Raft& r = two.node(1);
  r.msgs.clear();
  const std::vector<eraftpb::Entry> unstable = r.raft_log.unstableEntries();
  two.Persist(1);
  MemoryStorage* s = two.storage(1);
  if (!unstable.empty()) {
    Result<std::vector<eraftpb::Entry>> stored =
        s->Entries(unstable.front().index(), unstable.back().index() + 1);
    ASSERT_TRUE(stored.ok()) << stored.error().ToString();
    EXPECT_EQ(DescribeEntries(stored.value()), DescribeEntries(unstable));
  }
  EXPECT_EQ(r.raft_log.stabled, r.raft_log.LastIndex());
  eraftpb::HardState hs = s->InitialState().value().hard_state;
  EXPECT_EQ(hs.term(), r.term);
  EXPECT_EQ(hs.vote(), r.vote);
  EXPECT_EQ(hs.commit(), r.raft_log.committed);
}

TEST(RaftNetwork, RestartKeepsTheNodesConfig) {
  std::vector<Network::Peer> peers;
  peers.push_back(Network::Peer::Of(NewTestNode(1, {1, 2}, 7, 2)));
  peers.push_back(Network::Peer::New());
  Network nt(std::move(peers), testutil::TestSeed());
  nt.RestartNode(1);
  nt.RestartNode(2);
  EXPECT_EQ(nt.node(1).id, 1u);
  EXPECT_EQ(nt.node(2).id, 2u);
  EXPECT_THROW(
      {
        std::vector<Network::Peer> p;
        p.push_back(Network::Peer::New());
        p.push_back(Network::Peer::BlackHole());
        Network bh(std::move(p), testutil::TestSeed());
        bh.RestartNode(2);
      },
      std::logic_error);
}

}  // namespace
}  // namespace raft::test
