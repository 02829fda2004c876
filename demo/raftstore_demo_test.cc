// Runs the raftstore demo so CI notices when the story stops happening.

#include "demo/raftstore_demo.h"

#include <gtest/gtest.h>

#include <sstream>

#include "testutil/seed.h"

namespace {

TEST(RaftstoreDemo, TheStoryHappensWithTheDemoSeed) {
  std::ostringstream out;
  const demo::RaftstoreDemoResult r = demo::RunRaftstoreDemo(out);
  ASSERT_TRUE(r.ok) << r.failure << "\n--- timeline ---\n" << out.str();
  EXPECT_NE(r.lagging_store, 0u);
  EXPECT_GE(r.snapshots_applied, 1u);
  EXPECT_GT(r.snapshot_bytes, 0u);
  EXPECT_EQ(r.writes, 750u);
  for (const demo::LogFigure& f : r.figures) {
    for (uint64_t kept : f.uncompacted) EXPECT_LE(kept, 100u) << "after " << f.writes << " writes";
  }
  EXPECT_NE(out.str().find("DEMO OK"), std::string::npos);
  // The tables after the network heals no longer label the store "cut off".
  const std::string text = out.str();
  const size_t healed = text.find("the network heals");
  ASSERT_NE(healed, std::string::npos);
  EXPECT_EQ(text.find("<- cut off", healed), std::string::npos) << text.substr(healed);
}

TEST(RaftstoreDemo, TheStoryHappensWithOtherSeeds) {
  for (uint64_t i = 0; i < 3; ++i) {
    const uint64_t seed = testutil::DeriveSeed(i);
    std::ostringstream out;
    const demo::RaftstoreDemoResult r = demo::RunRaftstoreDemo(out, {.seed = seed});
    ASSERT_TRUE(r.ok) << "seed " << seed << ": " << r.failure << "\n--- timeline ---\n"
                      << out.str();
  }
}

}  // namespace
