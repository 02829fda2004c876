#include "bench/flags.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace bench {
namespace {

// argv for Parse: the program name, then `args`.
struct Argv {
  explicit Argv(std::vector<std::string> args) : strings(std::move(args)) {
    strings.insert(strings.begin(), "prog");
    for (auto& s : strings) pointers.push_back(s.data());
  }
  int argc() const { return static_cast<int>(pointers.size()); }
  char** argv() { return pointers.data(); }
  std::vector<std::string> strings;
  std::vector<char*> pointers;
};

TEST(BenchFlags, ReadsEveryKind) {
  uint64_t keys = 1;
  int reps = 1;
  double drop = 0;
  std::string dir;
  bool keep = false, sync = true;
  Flags f("prog", "[...]");
  f.Add("keys", &keys).Add("reps", &reps).Add("drop", &drop).Add("dir", &dir);
  f.Add("keep", &keep).Add("sync", &sync);
  Argv a({"--keys=200000", "--reps=3", "--drop=0.25", "--dir=/tmp/x", "--keep", "--sync=0"});
  f.Parse(a.argc(), a.argv());
  EXPECT_EQ(keys, 200000u);
  EXPECT_EQ(reps, 3);
  EXPECT_DOUBLE_EQ(drop, 0.25);
  EXPECT_EQ(dir, "/tmp/x");
  EXPECT_TRUE(keep);
  EXPECT_FALSE(sync);
}

TEST(BenchFlagsDeathTest, BadInputStopsWithTheUsage) {
  uint64_t keys = 1;
  Flags f("prog", "[--keys=N]");
  f.Add("keys", &keys);
  for (const char* bad : {"--keys=abc", "--keys=-3", "--keys=", "--keys", "--kyes=3", "keys"}) {
    Argv a({bad});
    EXPECT_EXIT(f.Parse(a.argc(), a.argv()), ::testing::ExitedWithCode(2), "usage: prog") << bad;
  }
}

}  // namespace
}  // namespace bench
