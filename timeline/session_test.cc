// The session of one test's timelines (session.h): which run's page is written, where a
// failure seen from outside the runs lands, and nothing at all when timelines are off.

#include "timeline/session.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "timeline/dump.h"

namespace {

class Session : public ::testing::Test {
 protected:
  void SetUp() override { timeline::Discard(); }
  void TearDown() override {
    timeline::SetEnabled(false);
    timeline::Discard();
  }
};

TEST_F(Session, OffMeansNoRecorderButTheRunCounts) {
  timeline::SetEnabled(false);
  EXPECT_EQ(timeline::StartRun("r", {}, "node", [] { return 0; }), nullptr);
  EXPECT_EQ(timeline::RunsStarted(), 1u);
  EXPECT_EQ(timeline::Chosen(), nullptr);
  std::string error;
  EXPECT_EQ(timeline::FinishTest("", &error), "");
  EXPECT_EQ(timeline::RunsStarted(), 0u);
}

TEST_F(Session, ThePageIsTheFailedRunsElseTheLast) {
  timeline::SetEnabled(true);
  timeline::Time now = 10;
  timeline::Recorder* a = timeline::StartRun("a", {}, "store", [&] { return now; });
  timeline::Recorder* b = timeline::StartRun("b", {}, "store", [&] { return now; });
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(timeline::Chosen(), b);
  a->Fail(3, "broke", "");
  EXPECT_EQ(timeline::Chosen(), a);
}

TEST_F(Session, EndedRunsThatDidNotFailAreForgottenWhenTheNextStarts) {
  timeline::SetEnabled(true);
  timeline::Recorder* failed = timeline::StartRun("failed", {}, "node", [] { return 0; });
  failed->Fail(1, "x", "");
  timeline::EndRun(failed);
  for (int i = 0; i < 100; ++i) {
    timeline::EndRun(timeline::StartRun("passed", {}, "node", [] { return 0; }));
  }
  timeline::Recorder* last = timeline::StartRun("last", {}, "node", [] { return 0; });
  EXPECT_EQ(timeline::Chosen(), failed);
  EXPECT_EQ(timeline::RunsStarted(), 102u);
  EXPECT_EQ(last->title(), "last");
}

TEST_F(Session, AnOutsideFailureGoesToTheLiveRunAtItsTimeNamingItsLanes) {
  timeline::SetEnabled(true);
  timeline::Time now = 0;
  timeline::Recorder* old = timeline::StartRun("old", {}, "store", [&] { return now; });
  timeline::Recorder* live = timeline::StartRun("live", {}, "store", [&] { return now; });
  for (uint64_t lane : {1, 2, 3, 4, 5}) live->AddLane(lane);
  timeline::EndRun(old);
  now = 1234;
  timeline::FailCurrent("x.cc:7: expected", "stores 2, 4 and 5 disagree; store 9 is no lane");
  ASSERT_EQ(live->failures().size(), 1u);
  EXPECT_TRUE(old->failures().empty());
  EXPECT_EQ(live->failures()[0].time, 1234u);
  EXPECT_EQ(live->failures()[0].lanes, (std::vector<uint64_t>{2, 4, 5}));
  // Once the run is over, its last recorded time stands in for its clock.
  timeline::EndRun(live);
  live->AddMark(99, 1, "x", "y");
  timeline::FailCurrent("later", "store 1");
  EXPECT_EQ(live->failures()[1].time, 1234u) << "last_time() is the latest of all events";
}

TEST_F(Session, FinishTestWritesThePageAndItsTextIntoTheOutputs) {
  timeline::SetEnabled(true);
  const std::string dir = ::testing::TempDir();
  setenv("TEST_UNDECLARED_OUTPUTS_DIR", dir.c_str(), 1);
  setenv("TINYKV_TIMELINE_DUMP", "1", 1);
  timeline::Recorder* r = timeline::StartRun("written", {}, "node", [] { return 5; });
  r->AddLane(1);
  r->Fail(5, "the end", "");
  std::string error;
  const std::string path = timeline::FinishTest("case", &error);
  unsetenv("TINYKV_TIMELINE_DUMP");
  EXPECT_EQ(path, dir + "/timeline-case.html") << error;
  std::ifstream txt(dir + "/timeline-case.txt");
  std::stringstream got;
  got << txt.rdbuf();
  EXPECT_NE(got.str().find("fail 5 lanes {} the end"), std::string::npos) << got.str();
  EXPECT_EQ(timeline::Chosen(), nullptr) << "the session starts over for the next test";
}

}  // namespace
