// Hidden lab 2C suite: the raftstore GenericTest with log GC at parameters the public suite
// never uses — a GC threshold small enough that followers fall behind the log all the time,
// snapshot generation that fails or arrives late (the region worker's fault hooks), harsher
// message loss (which also breaks snapshot transfers), a 3-store cluster — and several seeds
// per scenario. Test names: Hidden2C.*. A failure prints the run's seed and the replay command.

#include <gtest/gtest.h>

#include <string>

#include "grader/hidden/raftstore/run_seeds.h"
#include "raftstore/testing/cluster.h"
#include "raftstore/testing/compact_old_term.h"
#include "raftstore/testing/generic_test.h"
#include "testutil/seed.h"

namespace hidden {
namespace {

using raftstore::testing::GenericTestOptions;
using raftstore::testing::RunGenericTest;

GenericTestOptions Short(uint64_t scenario, int run) {
  GenericTestOptions o;
  o.part = "2C";
  o.clients = 5;
  o.max_raft_log = 50;
  o.iterations = 3;
  o.iteration_time = 1'500'000;
  o.seed = testutil::DeriveSeed(1000 + scenario * 100 + static_cast<uint64_t>(run));
  return o;
}

void RunSeeds(uint64_t scenario, int runs, hidden::Configure configure) {
  hidden::RunSeeds(Short, scenario, runs, configure);
}

// A GC threshold of 10: with partitions, every store that was cut off comes back by snapshot.
TEST(Hidden2C, TinyGcLimitPartitions) {
  RunSeeds(1, 2, [](GenericTestOptions& o) {
    o.max_raft_log = 10;
    o.partitions = true;
  });
}

// Half of the snapshot generations fail: Snapshot() must retry (bounded) and the leader keep
// asking until one succeeds.
TEST(Hidden2C, SnapshotGenerationFails) {
  RunSeeds(2, 2, [](GenericTestOptions& o) {
    o.max_raft_log = 10;
    o.partitions = true;
    o.crash = true;
    o.region_faults.gen_fail_percent = 50;
  });
}

// Generated snapshots arrive late (up to 300 ms): by then the log has been compacted further,
// the snapshot is stale and must be generated again, or it is simply old when it lands.
TEST(Hidden2C, SnapshotGenerationLate) {
  RunSeeds(3, 2, [](GenericTestOptions& o) {
    o.max_raft_log = 10;
    o.partitions = true;
    o.region_faults.gen_delay_percent = 70;
    o.region_faults.gen_delay_min = 20'000;
    o.region_faults.gen_delay_max = 300'000;
  });
}

// 25% of all messages lost, snapshot chunks included: most transfers break, and a broken one
// must never be applied.
TEST(Hidden2C, HarshLossRecover) {
  RunSeeds(4, 2, [](GenericTestOptions& o) {
    o.unreliable = true;
    o.drop_fraction = 0.25;
    o.crash = true;
    o.partitions = true;
  });
}

// Three stores, crashes, partitions and loss together.
TEST(Hidden2C, ThreeStoresEverything) {
  RunSeeds(5, 2, [](GenericTestOptions& o) {
    o.servers = 3;
    o.max_raft_log = 20;
    o.unreliable = true;
    o.crash = true;
    o.partitions = true;
    o.region_faults.gen_fail_percent = 20;
  });
}

// TinyKV's full-length rounds (3 x 5 s) of the hardest public scenario, one seed.
TEST(Hidden2C, FullLengthUnreliableRecoverPartition) {
  RunSeeds(6, 1, [](GenericTestOptions& o) {
    o.iteration_time = 5'000'000;
    o.max_raft_log = 100;
    o.unreliable = true;
    o.crash = true;
    o.partitions = true;
  });
}

// The public Raftstore2C.CompactOldTermAfterLeaderChange on more seeds, 3 and 5 stores, and a
// GC limit drawn per run: a new leader's first compaction covers an entry of the old term; the
// truncated state must carry that entry's term (persisted state audit), and a follower lagging
// past the compacted log catches up with one snapshot.
TEST(Hidden2C, CompactOldTermAfterLeaderChange) {
  for (int run = 0; run < 6; ++run) {
    const uint64_t seed = testutil::DeriveSeed(1700 + static_cast<uint64_t>(run));
    const int stores = run % 2 == 0 ? 3 : 5;
    const uint64_t limit = 5 + seed % 16;
    raftstore::testing::ClusterOptions co;
    co.stores = stores;
    co.cfg = raftstore::Config::ForTests2C(limit);
    co.seed = seed;
    raftstore::testing::Cluster cluster(co);
    ASSERT_TRUE(raftstore::testing::CompactOldTermThenLag(cluster, limit, /*exact_old_term=*/true))
        << "(run " << run << ": " << stores << " stores, GC limit " << limit << ")";
  }
}

}  // namespace
}  // namespace hidden
