// The main() of every test in the kit: gtest, plus a listener that prints the seed and the
// replay command under each failed test.

#include <gtest/gtest.h>

#include <cstdio>

#include "testutil/seed.h"

namespace {

class ReplayPrinter : public ::testing::EmptyTestEventListener {
  void OnTestEnd(const ::testing::TestInfo& info) override {
    if (info.result() == nullptr || !info.result()->Failed()) return;
    std::printf("[  SEED    ] %llu — replay with:\n             %s\n",
                static_cast<unsigned long long>(testutil::TestSeed()),
                testutil::ReplayCommand().c_str());
  }
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::UnitTest::GetInstance()->listeners().Append(new ReplayPrinter);
  return RUN_ALL_TESTS();
}
