// What the Raft simulator records into a timeline (timeline/recorder.h): exactly the expected
// events for a small run, the same events for the same seed, nothing at all when timelines
// are off, and a planted violation pinned at the step it happened. Needs a working Raft
// (--config=reference, or a finished lab 2A).

#include <gtest/gtest.h>

#include <string>

#include "raft/sim/cluster.h"
#include "timeline/dump.h"
#include "timeline/render.h"
#include "timeline/session.h"

namespace {

using raft::sim::Cluster;
using raft::sim::ClusterOptions;

class SimRecording : public ::testing::Test {
 protected:
  void SetUp() override { timeline::SetEnabled(true); }
  void TearDown() override {
    timeline::SetEnabled(false);
    timeline::Discard();  // this test's runs are not a page
  }
};

ClusterOptions Small(uint64_t seed) {
  ClusterOptions o;
  o.size = 3;
  o.seed = seed;
  return o;
}

// Node 1 campaigns at tick 0; times are tick * 1000 + the event's rank within the tick (the
// three initial states take ranks 0-2). Its vote requests go out (3, 4) before the campaign
// mark (5): the cluster runs the node's Ready, then looks at its new role. Each vote is
// granted, the second grant makes node 1 leader (16), it appends its empty entry 1, which both
// followers accept, and the commit reaches everyone. Node 3's first append response arrives
// after node 1 sent it the entry again (msg 10), which is what the reference does.
constexpr const char* kElection = R"(title Raft simulator: 3 nodes, driver RawNode, seed 1
unit millitick per_second 0; lanes are nodes {1 2 3}
state 0 lane 1 follower term 0 vote 0 lead 0 last 0 commit 0 applied 0 first 1 truncated 0
state 6 lane 1 candidate term 1 vote 1 lead 0 last 0 commit 0 applied 0 first 1 truncated 0
state 17 lane 1 leader term 1 vote 1 lead 1 last 1 commit 0 applied 0 first 1 truncated 0
state 29 lane 1 leader term 1 vote 1 lead 1 last 1 commit 1 applied 1 first 1 truncated 0
state 1 lane 2 follower term 0 vote 0 lead 0 last 0 commit 0 applied 0 first 1 truncated 0
state 9 lane 2 follower term 1 vote 1 lead 0 last 0 commit 0 applied 0 first 1 truncated 0
state 22 lane 2 follower term 1 vote 1 lead 1 last 1 commit 0 applied 0 first 1 truncated 0
state 34 lane 2 follower term 1 vote 1 lead 1 last 1 commit 1 applied 1 first 1 truncated 0
state 2 lane 3 follower term 0 vote 0 lead 0 last 0 commit 0 applied 0 first 1 truncated 0
state 12 lane 3 follower term 1 vote 1 lead 0 last 0 commit 0 applied 0 first 1 truncated 0
state 25 lane 3 follower term 1 vote 1 lead 1 last 1 commit 0 applied 0 first 1 truncated 0
state 37 lane 3 follower term 1 vote 1 lead 1 last 1 commit 1 applied 1 first 1 truncated 0
msg 1 1->2 MsgRequestVote sent 3 delivered 7 term=1
msg 2 1->3 MsgRequestVote sent 4 delivered 10 term=1
msg 3 2->1 MsgRequestVoteResponse sent 8 delivered 13 term=1
msg 4 3->1 MsgRequestVoteResponse sent 11 delivered 18 term=1
msg 5 1->2 MsgAppend sent 14 delivered 20 term=1 index=0 logTerm=0 entries=1..1 (1)
msg 6 1->3 MsgAppend sent 15 delivered 23 term=1 index=0 logTerm=0 entries=1..1 (1)
msg 7 2->1 MsgAppendResponse sent 21 delivered 26 term=1 index=1
msg 8 3->1 MsgAppendResponse sent 24 delivered 30 term=1 index=1
msg 9 1->2 MsgAppend sent 27 delivered 32 term=1 index=1 logTerm=1 commit=1
msg 10 1->3 MsgAppend sent 28 delivered 35 term=1 index=0 logTerm=0 entries=1..1 (1) commit=1
msg 11 2->1 MsgAppendResponse sent 33 delivered 38 term=1 index=1
msg 12 3->1 MsgAppendResponse sent 36 delivered 40 term=1 index=1
mark 5 lane 1 election node 1 campaigns in term 1
mark 16 lane 1 election node 1 becomes leader of term 1
)";

TEST_F(SimRecording, AnElectionRecordsExactlyItsEvents) {
  Cluster c(Small(1));
  ASSERT_NE(c.timeline(), nullptr);
  c.Campaign(1);
  c.DeliverDue();
  ASSERT_EQ(c.Leader(), 1u);
  EXPECT_EQ(timeline::Dump(*c.timeline()), kElection);
}

// A run with every kind of event: network faults, a partition, a crash and a restart, a
// compaction and the snapshot it forces, proposals.
std::string ChaoticRun(uint64_t seed, std::string* page) {
  ClusterOptions o = Small(seed);
  o.size = 5;
  Cluster c(o);
  c.SetFaults({.drop = 0.05, .duplicate = 0.05, .max_delay = 2, .reorder = true});
  c.RunUntil([&] { return c.Leader() != 0; }, 200);
  for (int i = 0; i < 20; ++i) {
    c.ProposeToLeader("k" + std::to_string(i) + "=v");
    c.Tick(2);
    if (i == 5) c.Isolate(c.Leader() == 0 ? 1 : c.Leader());
    if (i == 10) c.Heal();
    if (i == 12) c.Crash(2);
    if (i == 16) c.Restart(2);
  }
  for (uint64_t id : c.ids()) (void)c.Compact(id);
  c.Tick(30);
  if (page != nullptr) *page = timeline::RenderHtml(*c.timeline());
  return timeline::Dump(*c.timeline());
}

TEST_F(SimRecording, TheSameSeedRecordsTheSameRun) {
  std::string page1, page2;
  const std::string a = ChaoticRun(7, &page1);
  const std::string b = ChaoticRun(7, &page2);
  EXPECT_EQ(a, b);
  EXPECT_EQ(page1, page2);
  EXPECT_NE(a, ChaoticRun(8, nullptr)) << "another seed, another run";
  // Every kind of event showed up.
  for (const char* kind : {"\nregion ", "partition", "isolate", "filter", "down", "\nmark ",
                           "crash", "restart", "compact", "dropped", "duplicate of", "propose"}) {
    EXPECT_NE(a.find(kind), std::string::npos) << kind << " missing from:\n" << a;
  }
}

TEST_F(SimRecording, NothingIsRecordedWhenTimelinesAreOff) {
  timeline::SetEnabled(false);
  Cluster c(Small(1));
  EXPECT_EQ(c.timeline(), nullptr);
  c.Campaign(1);
  c.DeliverDue();
  EXPECT_EQ(timeline::Chosen(), nullptr);
  EXPECT_EQ(timeline::RunsStarted(), 1u) << "the run still counts: the test main re-runs it";
}

TEST_F(SimRecording, AViolationIsPinnedAtItsStep) {
  Cluster c(Small(5));
  // The planted bug: every rejected vote arrives granted, so two candidates of one term win.
  c.SetSendHook([](const eraftpb::Message& m) {
    eraftpb::Message out = m;
    if (m.msg_type() == eraftpb::MsgRequestVoteResponse) out.set_reject(false);
    return std::vector<eraftpb::Message>{out};
  });
  c.Campaign(1);
  c.Campaign(2);
  c.DeliverDue();
  ASSERT_TRUE(c.failed());
  const timeline::Recorder& rec = *c.timeline();
  ASSERT_EQ(rec.failures().size(), 1u);
  const timeline::Failure& f = rec.failures()[0];
  EXPECT_EQ(f.title, "Election Safety violated");
  EXPECT_EQ(f.lanes, (std::vector<uint64_t>{1, 2}));
  // Right after the second leader's election mark, in the same tick.
  uint64_t second_leader = 0;
  for (const timeline::Mark& m : rec.marks()) {
    if (m.text.find("becomes leader") != std::string::npos) second_leader = m.time;
  }
  EXPECT_GT(f.time, second_leader);
  EXPECT_EQ(f.time / 1000, second_leader / 1000);
  EXPECT_EQ(f.time, rec.last_time()) << "nothing happens after the violation";
}

}  // namespace
