#include "testutil/seed.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace testutil {

uint64_t TestSeed() {
  static const uint64_t seed = [] {
    const char* env = std::getenv("TINYKV_SEED");
    if (env == nullptr || *env == '\0') return kDefaultSeed;
    char* end = nullptr;
    unsigned long long v = std::strtoull(env, &end, 10);
    if (*end != '\0') {
      std::fprintf(stderr, "TINYKV_SEED must be a decimal number, got \"%s\"\n", env);
      std::exit(2);
    }
    return static_cast<uint64_t>(v);
  }();
  return seed;
}

uint64_t DeriveSeed(uint64_t i) {
  // splitmix64: well-spread seeds from consecutive numbers.
  uint64_t z = TestSeed() + 0x9e3779b97f4a7c15ULL * (i + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::string ReplayCommand() {
  const char* target = std::getenv("TEST_TARGET");  // set by `bazel test`
  std::string cmd = "bazel test ";
  cmd += target != nullptr ? target : "<this test target>";
  cmd += " --test_env=TINYKV_SEED=" + std::to_string(TestSeed());
  if (const auto* info = ::testing::UnitTest::GetInstance()->current_test_info()) {
    cmd +=
        std::string(" --test_arg=--gtest_filter=") + info->test_suite_name() + "." + info->name();
  }
  return cmd;
}

}  // namespace testutil
