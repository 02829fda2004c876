// Hidden lab 2C suite: the raftstore GenericTest with log GC at parameters the public suite
// never uses — a GC threshold small enough that followers fall behind the log all the time,
// snapshot generation that fails or arrives late (the region worker's fault hooks), harsher
// message loss (which also breaks snapshot transfers), a 3-store cluster — and several seeds
// per scenario. Test names: Hidden2C.*. A failure prints the run's seed and the replay command.

#include <gtest/gtest.h>

#include <string>

#include "grader/hidden/raftstore/run_seeds.h"
#include "raftstore/testing/audit/persisted_state_audit.h"
#include "raftstore/testing/audit/scoped_observer.h"
#include "raftstore/testing/audit/snapshot_counters.h"
#include "raftstore/testing/cluster.h"
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
::testing::AssertionResult CompactOldTermThenLag(uint64_t seed, int stores, uint64_t limit) {
  using raftstore::Peer;
  using raftstore::testing::Cluster;
  using raftstore::testing::ClusterOptions;
  namespace audit = raftstore::testing::audit;
  ClusterOptions co;
  co.stores = stores;
  co.cfg = raftstore::Config::ForTests2C(limit);
  co.seed = seed;
  Cluster cluster(co);
  audit::PersistedStateAudit persisted(&cluster, 1);
  audit::SnapshotCounters snaps(&cluster);
  audit::ScopedObserver watch_persisted(cluster, &persisted);
  audit::ScopedObserver watch_snaps(cluster, &snaps);
  if (auto r = cluster.Start(); !r) return r;
  if (auto r = cluster.WaitLeader(); !r) return r;
  const uint64_t old_leader = cluster.LeaderOfRegion(1)->store_id();
  const uint64_t old_term = cluster.GetPeer(old_leader, 1)->Term();
  const uint64_t first = cluster.GetPeer(old_leader, 1)->peer_storage->TruncatedIndex() + 1;
  for (int i = 0; cluster.GetPeer(old_leader, 1)->peer_storage->AppliedIndex() + 1 < first + limit;
       ++i) {
    if (auto r = cluster.MustPut("old" + std::to_string(i), "v"); !r) return r;
  }
  cluster.StopServer(old_leader);
  if (auto r = cluster.WaitLeader(); !r) return r;
  const uint64_t new_leader = cluster.LeaderOfRegion(1)->store_id();
  if (auto r = cluster.StartServer(old_leader); !r) return r;
  auto compacted_everywhere = [&] {
    for (uint64_t id : cluster.StoreIds()) {
      Peer* p = cluster.GetPeer(id, 1);
      if (p == nullptr || p->peer_storage->TruncatedIndex() < first) return false;
    }
    return true;
  };
  if (!cluster.rt().RunUntil(compacted_everywhere, cluster.rt().Now() + 3'000'000)) {
    return ::testing::AssertionFailure()
           << "3 s after the leader change not every store has compacted its log; peers: "
           << cluster.DescribePeers() << cluster.SeedNote();
  }
  const uint64_t truncated = cluster.GetPeer(new_leader, 1)->peer_storage->TruncatedIndex();
  const auto entry_term = persisted.CommittedTerm(truncated);
  if (!entry_term || *entry_term != old_term) {
    return ::testing::AssertionFailure()
           << "the new leader's first compaction (index " << truncated
           << ") should cover an entry of the old term " << old_term
           << "; peers: " << cluster.DescribePeers() << cluster.SeedNote();
  }
  if (auto r = persisted.Check(); !r) return r;
  uint64_t lagging = 0;
  for (uint64_t id : cluster.StoreIds()) {
    if (id != new_leader && lagging == 0) lagging = id;
  }
  const uint64_t applied_before = snaps.applied(lagging);
  cluster.StopServer(lagging);
  const int writes = static_cast<int>(4 * limit);
  for (int i = 0; i < writes; ++i) {
    if (auto r = cluster.MustPut("new" + std::to_string(i), std::to_string(i)); !r) return r;
  }
  cluster.rt().RunFor(300'000);
  if (auto r = cluster.StartServer(lagging); !r) return r;
  const std::string last = std::to_string(writes - 1);
  if (auto r = cluster.MustGetEqualOnStore(lagging, "new" + last, last); !r) return r;
  if (auto r = cluster.MustGetEqualOnStore(lagging, "old0", "v"); !r) return r;
  cluster.rt().RunFor(1'000'000);
  if (snaps.applied(lagging) - applied_before != 1) {
    return ::testing::AssertionFailure()
           << "store " << lagging << " should catch up with exactly one snapshot; "
           << snaps.Describe() << "; peers: " << cluster.DescribePeers() << cluster.SeedNote();
  }
  return persisted.Check();
}

TEST(Hidden2C, CompactOldTermAfterLeaderChange) {
  for (int run = 0; run < 6; ++run) {
    const uint64_t seed = testutil::DeriveSeed(1700 + static_cast<uint64_t>(run));
    const int stores = run % 2 == 0 ? 3 : 5;
    const uint64_t limit = 5 + seed % 16;
    ASSERT_TRUE(CompactOldTermThenLag(seed, stores, limit))
        << "(run " << run << ": " << stores << " stores, GC limit " << limit << ")";
  }
}

}  // namespace
}  // namespace hidden
