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

// Hot keys under faults: the clients hammer one or two keys in every column family back to
// back, so that Readies apply a write and then a read of the same key; with lost messages and
// leader changes a new leader also applies long stretches of the log in one Ready. Each run
// must still produce such Readies, or the scenario tests nothing.
void RunHotKeys(uint64_t scenario, int runs, hidden::Configure configure) {
  for (int run = 0; run < runs; ++run) {
    GenericTestOptions o = Short(scenario, run);
    o.hot_keys = true;
    o.iteration_time = 1'500'000;
    configure(o);
    raftstore::testing::GenericTestReport report;
    ASSERT_TRUE(RunGenericTest(o, &report))
        << "(run " << run << " of " << runs << ", scenario seed " << o.seed << ")";
    EXPECT_GE(report.ready_write_reads, 20u)
        << "the hot-key run made only " << report.ready_write_reads
        << " Readies that apply a write and then a read of one key (run " << run
        << ", scenario seed " << o.seed << ")";
  }
}

TEST(Hidden2B, HotKeysUnreliable) {
  RunHotKeys(7, 2, [](GenericTestOptions& o) {
    o.clients = 10;
    o.readers = 2;
    o.shared_keys = 2;
    o.unreliable = true;
  });
}

TEST(Hidden2B, HotKeysIsolatedLeader) {
  RunHotKeys(8, 1, [](GenericTestOptions& o) {
    o.clients = 8;
    o.readers = 2;
    o.shared_keys = 1;
    o.isolate_leader = true;
  });
}

TEST(Hidden2B, HotKeysThreeStoresCrash) {
  RunHotKeys(9, 1, [](GenericTestOptions& o) {
    o.servers = 3;
    o.clients = 8;
    o.shared_keys = 1;
    o.crash = true;
    o.partitions = true;
  });
}

// Two column families only (default and lock), one shared key: the same key name in both,
// written and read by many clients, with crashes and loss; a store that confuses the cfs
// (ignores the cf of a Put, a Delete or a Get, or loses one cf's data in a restart) fails.
TEST(Hidden2B, ColumnFamiliesOneKeyCrash) {
  RunSeeds(10, 2, [](GenericTestOptions& o) {
    o.clients = 6;
    o.shared_keys = 1;
    o.column_families = 2;
    o.crash = true;
    o.unreliable = true;
  });
}

}  // namespace
}  // namespace hidden
