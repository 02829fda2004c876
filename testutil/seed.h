#pragma once

// One seed per test run: every random choice a test makes comes from it, so a failure can
// be replayed exactly. The seed is TINYKV_SEED from the environment, or a fixed default.
// Tests linked with //testutil:gtest_main print, for every failed test, the seed and the
// command that replays it.

#include <cstdint>
#include <string>

namespace testutil {

inline constexpr uint64_t kDefaultSeed = 20261125;

// TINYKV_SEED if set (decimal), else kDefaultSeed. Exits with a clear message when
// TINYKV_SEED is not a number.
uint64_t TestSeed();

// A seed for the i-th independent run inside one test (e.g. a loop over 50 randomized runs),
// derived from TestSeed() so that the whole test still replays from one number.
uint64_t DeriveSeed(uint64_t i);

// "bazel test //raft/tests:election_2aa_test --test_env=TINYKV_SEED=7
//  --test_arg=--gtest_filter=Raft2AA.LeaderElection" for the running test.
std::string ReplayCommand();

}  // namespace testutil
