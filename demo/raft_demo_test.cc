// Runs the demo's scenario so CI notices when the story stops happening.

#include "demo/raft_demo.h"

#include <gtest/gtest.h>

#include <sstream>

#include "testutil/seed.h"

namespace {

TEST(RaftDemo, TheStoryHappensWithTheDemoSeed) {
  std::ostringstream out;
  const demo::DemoResult r = demo::RunRaftDemo(out);
  ASSERT_TRUE(r.ok) << r.failure << "\n--- timeline ---\n" << out.str();
  EXPECT_NE(r.lagging_node, 0u);
  EXPECT_GT(r.snapshot_index, 10u);
  EXPECT_GE(r.snapshots_sent, 1u);
  EXPECT_EQ(r.writes, 41u);
  EXPECT_NE(out.str().find("DEMO OK"), std::string::npos);
  EXPECT_NE(out.str().find("sends node"), std::string::npos) << "the timeline shows the snapshot";
}

TEST(RaftDemo, TheStoryHappensWithOtherSeeds) {
  for (uint64_t i = 0; i < 10; ++i) {
    const uint64_t seed = testutil::DeriveSeed(i);
    std::ostringstream out;
    const demo::DemoResult r = demo::RunRaftDemo(out, {.seed = seed});
    ASSERT_TRUE(r.ok) << "seed " << seed << ": " << r.failure << "\n--- timeline ---\n"
                      << out.str();
  }
}

}  // namespace
