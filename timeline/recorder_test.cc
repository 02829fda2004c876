#include "timeline/recorder.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace timeline {
namespace {

LaneState Leader(uint64_t term, uint64_t last) {
  LaneState s;
  s.role = "leader";
  s.term = term;
  s.last = last;
  return s;
}

TEST(Recorder, StateKeepsChangesOnly) {
  Recorder rec;
  rec.State(1, 1, Leader(1, 1));
  rec.State(2, 1, Leader(1, 1));  // no change: not recorded
  rec.State(3, 1, Leader(1, 2));
  rec.State(3, 1, Leader(1, 3));  // the same instant: the last one wins
  rec.State(4, 2, Leader(2, 1));
  const auto& h = rec.states().at(1);
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].first, 1u);
  EXPECT_EQ(h[1].first, 3u);
  EXPECT_EQ(h[1].second.last, 3u);
  EXPECT_EQ(rec.states().at(2).size(), 1u);
  EXPECT_EQ(rec.last_time(), 4u);
}

TEST(Recorder, MessagesDeliveredDroppedDuplicated) {
  Recorder rec("run", TimeUnit{"tick", 0});
  uint64_t a = rec.Send(5, 1, 2, "MsgAppend", {{"term", "1"}});
  uint64_t b = rec.Send(6, 2, 1, "MsgAppendResponse", {});
  uint64_t c = rec.Send(7, 1, 2, "MsgAppend", {{"term", "1"}}, a);
  EXPECT_EQ(a, 1u);
  EXPECT_EQ(b, 2u);
  EXPECT_EQ(c, 3u);
  rec.Deliver(9, a);
  rec.Drop(8, b, "partition");
  rec.Deliver(100, 0);  // unknown ids are ignored
  rec.Drop(100, 99, "x");
  const auto& m = rec.messages();
  ASSERT_EQ(m.size(), 3u);
  EXPECT_TRUE(m[0].delivered);
  EXPECT_EQ(m[0].end, 9u);
  EXPECT_TRUE(m[1].dropped);
  EXPECT_EQ(m[1].drop_reason, "partition");
  EXPECT_FALSE(m[2].delivered || m[2].dropped);
  EXPECT_EQ(m[2].duplicate_of, a);
  EXPECT_EQ(m[0].fields, (Fields{{"term", "1"}}));
  EXPECT_EQ(rec.last_time(), 9u);
  EXPECT_EQ(rec.unit().name, "tick");
}

TEST(Recorder, RegionsMarksOpsFailures) {
  Recorder rec;
  rec.AddLane(2);
  rec.AddLane(1);
  rec.AddLane(2);
  EXPECT_EQ(rec.lanes(), (std::vector<uint64_t>{2, 1}));
  uint64_t r1 = rec.BeginRegion(10, "partition", "cut", {1, 2, 3}, {{1}, {2, 3}});
  uint64_t r2 = rec.BeginRegion(11, "down", "crash", {3});
  rec.EndRegion(20, r1);
  EXPECT_FALSE(rec.regions()[r1 - 1].open);
  EXPECT_EQ(rec.regions()[r1 - 1].end, 20u);
  EXPECT_TRUE(rec.regions()[r2 - 1].open);
  EXPECT_EQ(rec.regions()[r1 - 1].groups.size(), 2u);

  rec.AddMark(12, 0, "election", "node 2 won");
  ASSERT_EQ(rec.marks().size(), 1u);
  EXPECT_EQ(rec.marks()[0].category, "election");

  uint64_t op = rec.Invoke(13, 4, "Get", "k", "");
  uint64_t op2 = rec.Invoke(14, 4, "Put", "k", "v");
  rec.Respond(15, op, "ok", "v0");
  rec.Highlight(op, "stale");
  rec.Highlight(77, "ignored");
  EXPECT_TRUE(rec.ops()[0].answered);
  EXPECT_EQ(rec.ops()[0].value, "v0");
  EXPECT_EQ(rec.ops()[0].response, 15u);
  EXPECT_TRUE(rec.ops()[0].highlighted);
  EXPECT_EQ(rec.ops()[0].note, "stale");
  EXPECT_FALSE(rec.ops()[op2 - 1].answered);

  rec.Fail(30, "two leaders", "details", {1, 2});
  ASSERT_EQ(rec.failures().size(), 1u);
  EXPECT_EQ(rec.failures()[0].lanes, (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(rec.last_time(), 30u);
}

TEST(Recorder, AlwaysWriteFollowsTheEnvironment) {
  unsetenv("TINYKV_TIMELINE");
  EXPECT_FALSE(Recorder::AlwaysWrite());
  setenv("TINYKV_TIMELINE", "0", 1);
  EXPECT_FALSE(Recorder::AlwaysWrite());
  setenv("TINYKV_TIMELINE", "1", 1);
  EXPECT_TRUE(Recorder::AlwaysWrite());
  unsetenv("TINYKV_TIMELINE");
}

}  // namespace
}  // namespace timeline
