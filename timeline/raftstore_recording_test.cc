// What the raftstore cluster records into a timeline: a lane per store with its peer's state
// after its tasks, messages with their fate (a stopped store loses what was on its way), a
// stopped store as a "down" region, filters as regions, client operations with their
// answers; the same seed records the same run. Needs the reference raftstore (or a finished
// lab 2B).

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "raftstore/testing/cluster.h"
#include "timeline/dump.h"
#include "timeline/session.h"

namespace {

using raftstore::testing::Cluster;
using raftstore::testing::ClusterOptions;

class RaftstoreRecording : public ::testing::Test {
 protected:
  void SetUp() override { timeline::SetEnabled(true); }
  void TearDown() override {
    timeline::SetEnabled(false);
    timeline::Discard();
  }
};

std::string RecordedRun(uint64_t seed) {
  ClusterOptions o;
  o.stores = 3;
  o.seed = seed;
  Cluster c(o);
  EXPECT_TRUE(c.Start());
  EXPECT_TRUE(c.WaitLeader());
  EXPECT_TRUE(c.MustPut("a", "1"));
  const uint64_t leader = c.LeaderOfRegion(1)->store_id();
  const uint64_t other = leader == 3 ? 2 : 3;
  c.StopServer(other);
  EXPECT_TRUE(c.MustPut("b", "2"));
  EXPECT_TRUE(c.StartServer(other));
  c.AddFilter(std::make_unique<raftstore::testing::IsolateFilter>(other));
  EXPECT_TRUE(c.MustGet("a", "1"));
  c.ClearFilters();
  EXPECT_TRUE(c.MustGetNone("zz"));
  return timeline::Dump(*c.timeline());
}

bool Has(const std::string& dump, const std::string& what) {
  return dump.find(what) != std::string::npos;
}

TEST_F(RaftstoreRecording, StoresMessagesFaultsAndClientOperations) {
  const std::string d = RecordedRun(3);
  EXPECT_TRUE(Has(d, "unit us per_second 1e+06; lanes are stores {1 2 3}")) << d;
  EXPECT_TRUE(Has(d, " leader term ")) << "someone led";
  for (int store = 1; store <= 3; ++store) {
    EXPECT_TRUE(Has(d, "lane " + std::to_string(store) + " follower")) << "no state of " << store;
  }
  EXPECT_TRUE(Has(d, " down term 0")) << "a stopped store's lane says down";
  EXPECT_TRUE(Has(d, "(receiver down)")) << "messages to the stopped store are lost";
  EXPECT_TRUE(Has(d, "MsgAppend sent ")) << d;
  EXPECT_TRUE(Has(d, "stopped by the test (StopServer)"));
  EXPECT_TRUE(Has(d, "restart store"));
  EXPECT_TRUE(Has(d, "(isolate store")) << "the filter names itself as the drop reason";
  EXPECT_TRUE(Has(d, " isolate [")) << "the filter is a region";
  EXPECT_TRUE(Has(d, "Put(a, 1) invoke ")) << d;
  EXPECT_TRUE(Has(d, " ok\n"));
  EXPECT_TRUE(Has(d, "Get(a, 1) invoke "));
  EXPECT_TRUE(Has(d, "Get(zz) invoke ") && Has(d, " not found\n")) << d;
  // Lanes are stores: the leader a peer follows is named by its store, not its peer id.
  EXPECT_FALSE(Has(d, " lead 10")) << d;
}

// Lab 2C's log GC on the page: the leader's CompactLog proposal on its lane, then every store's
// log truncated (CompactLog applied) and the raftlog-gc worker's deletions.
TEST_F(RaftstoreRecording, CompactLogProposedAppliedAndDeleted) {
  ClusterOptions o;
  o.stores = 3;
  o.seed = 5;
  o.cfg = raftstore::Config::ForTests2C(10);
  Cluster c(o);
  ASSERT_TRUE(c.Start());
  ASSERT_TRUE(c.WaitLeader());
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(c.MustPut("k" + std::to_string(i), "v"));
  c.rt().RunFor(1'000'000);
  const uint64_t leader = c.LeaderOfRegion(1)->store_id();
  const std::string d = timeline::Dump(*c.timeline());
  EXPECT_TRUE(Has(d, "lane " + std::to_string(leader) + " compact CompactLog proposed at entry "))
      << d;
  for (int store = 1; store <= 3; ++store) {
    const std::string lane = "lane " + std::to_string(store) + " ";
    EXPECT_TRUE(Has(d, lane + "compact CompactLog applied: log truncated to ")) << store;
    EXPECT_TRUE(Has(d, lane + "gc raftlog-gc deleted ")) << store;
  }
}

TEST_F(RaftstoreRecording, TheSameSeedRecordsTheSameRun) {
  const std::string a = RecordedRun(11);
  timeline::Discard();
  const std::string b = RecordedRun(11);
  EXPECT_EQ(a, b);
}

}  // namespace
