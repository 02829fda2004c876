// Hidden lab 2B suite: the GenericTest scenarios with parameters the public suite never uses —
// more clients, more message loss, wildly reordered messages, 3- and 7-store clusters — and
// several seeds per scenario. Rounds are shorter than TinyKV's 5 s so that many seeds fit.
// Test names: Hidden2B.*. A failure prints the run's seed and the replay command.

#include <gtest/gtest.h>

#include <string>

#include "grader/hidden/raftstore/run_seeds.h"
#include "raftstore/testing/generic_test.h"
#include "testutil/seed.h"

namespace hidden {
namespace {

using raftstore::testing::GenericTestOptions;
using raftstore::testing::RunGenericTest;

GenericTestOptions Short(uint64_t scenario, int run) {
  GenericTestOptions o;
  o.part = "2B";
  o.iterations = 2;
  o.iteration_time = 3'000'000;
  o.seed = testutil::DeriveSeed(scenario * 100 + static_cast<uint64_t>(run));
  return o;
}

void RunSeeds(uint64_t scenario, int runs, hidden::Configure configure) {
  hidden::RunSeeds(Short, scenario, runs, configure);
}

TEST(Hidden2B, ManyClientsHighLoss) {
  RunSeeds(1, 2, [](GenericTestOptions& o) {
    o.clients = 8;
    o.unreliable = true;
    o.drop_fraction = 0.2;
  });
}

TEST(Hidden2B, ReorderedMessages) {
  RunSeeds(2, 2, [](GenericTestOptions& o) {
    o.clients = 5;
    o.net_delay_min = 0;
    o.net_delay_max = 30'000;  // up to 30 ms: messages overtake each other all the time
  });
}

TEST(Hidden2B, ThreeStoresCrashPartitionsLoss) {
  RunSeeds(3, 2, [](GenericTestOptions& o) {
    o.servers = 3;
    o.clients = 4;
    o.crash = true;
    o.partitions = true;
    o.unreliable = true;
    o.drop_fraction = 0.15;
  });
}

TEST(Hidden2B, SevenStoresCrashPartitions) {
  RunSeeds(4, 2, [](GenericTestOptions& o) {
    o.servers = 7;
    o.clients = 5;
    o.crash = true;
    o.partitions = true;
  });
}

TEST(Hidden2B, ContendedSharedKeys) {
  RunSeeds(5, 2, [](GenericTestOptions& o) {
    o.clients = 8;
    o.shared_keys = 1;  // every client on one key: the history check has the most to say
    o.unreliable = true;
    o.crash = true;
  });
}

// The leader (and one more store) is cut off again and again for seconds at a time while the
// clients and two readers go on; a leader that answers reads on its own is caught.
TEST(Hidden2B, IsolatedLeader) {
  RunSeeds(6, 1, [](GenericTestOptions& o) {
    o.clients = 3;
    o.readers = 2;
    o.isolate_leader = true;
  });
}

}  // namespace
}  // namespace hidden
