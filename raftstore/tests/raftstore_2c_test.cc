// Lab 2C: log GC and snapshots in raftstore. The scenarios of TinyKV's
// test_raftstore/test_test.go (2C), on a simulated cluster in virtual time: one follower cut
// off while the log is compacted and brought back by a snapshot, and the randomized
// GenericTest with a small GC threshold, so that logs are compacted over and over and
// restarted or partitioned stores catch up by snapshot. Each checks that every store's log
// stays trimmed (applied - truncated <= 2 * limit), and the clients' history is linearizable.
// See docs/lab2c.md.

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "kv/engine_util/cf.h"
#include "raftstore/meta/keys.h"
#include "raftstore/meta/values.h"
#include "raftstore/testing/cluster.h"
#include "raftstore/testing/generic_test.h"
#include "testutil/seed.h"

namespace raftstore::testing {
namespace {

constexpr int kGcLimit = 10;

GenericTestOptions Options(int clients, bool unreliable, bool crash, bool partitions,
                           uint64_t scenario) {
  GenericTestOptions o;
  o.part = "2C";
  o.clients = clients;
  o.unreliable = unreliable;
  o.crash = crash;
  o.partitions = partitions;
  o.max_raft_log = 100;
  // TinyKV's rounds are 5 s; 1.5 s of simulated time already compacts every log dozens of
  // times and keeps the public suite fast. The hidden suite and the stress command run 5 s.
  o.iteration_time = 1'500'000;
  o.seed = testutil::DeriveSeed(scenario);
  return o;
}

// Polls store `id`'s kv engine until `cf`/`key` holds `value` ("" = absent), or `wait` passes.
::testing::AssertionResult MustGetCfOnStore(Cluster& c, uint64_t id, const std::string& cf,
                                            const std::string& key, const std::string& value,
                                            runtime::Micros wait = 6'000'000) {
  std::string last = "(store down)";
  const runtime::Micros deadline = c.rt().Now() + wait;
  for (;;) {
    if (c.IsRunning(id)) {
      auto v = c.engines(id).kv->GetCF(cf, key);
      if (!v.ok()) return ::testing::AssertionFailure() << v.status().ToString();
      const std::string got = v.value().value_or("");
      if (got == value) return ::testing::AssertionSuccess();
      last = v.value().has_value() ? "\"" + got + "\"" : "none";
    }
    if (c.rt().Now() >= deadline) break;
    c.rt().RunFor(20'000);
  }
  return ::testing::AssertionFailure()
         << "store " << id << ", cf " << cf << ": expected \"" << key
         << "\" = " << (value.empty() ? "none" : "\"" + value + "\"") << ", has " << last
         << ". Peers: " << c.DescribePeers() << c.SeedNote();
}

// TinyKV's TestOneSnapshot2C: store 1 is cut off while the others write enough to compact
// their logs past everything store 1 has; once healed, only a snapshot can bring it back.
TEST(Raftstore2C, OneSnapshot) {
  ClusterOptions o;
  o.stores = 3;
  o.cfg = Config::ForTests2C(kGcLimit);
  o.seed = testutil::DeriveSeed(1);
  Cluster cluster(o);
  ASSERT_TRUE(cluster.Start());
  ASSERT_TRUE(cluster.WaitLeader());
  const std::string cf(kv::kCfLock);

  ASSERT_TRUE(cluster.MustPutCF(cf, "k1", "v1"));
  ASSERT_TRUE(cluster.MustPutCF(cf, "k2", "v2"));
  ASSERT_TRUE(MustGetCfOnStore(cluster, 1, cf, "k1", "v1"));
  ASSERT_TRUE(MustGetCfOnStore(cluster, 1, cf, "k2", "v2"));
  for (uint64_t id : cluster.StoreIds()) {
    auto st = meta::GetApplyState(*cluster.engines(id).kv, 1);
    ASSERT_TRUE(st.ok() && st.value().has_value()) << "store " << id << ": no apply state";
    EXPECT_EQ(st.value()->truncated_state().index(), meta::kRaftInitLogIndex)
        << "store " << id << ": nothing should be compacted after 2 writes with a limit of "
        << kGcLimit;
  }

  cluster.AddFilter(
      std::make_unique<PartitionFilter>(std::set<uint64_t>{1}, std::set<uint64_t>{2, 3}));
  // Enough writes for the majority to compact its log past everything store 1 has.
  for (int i = 100; i < 115; ++i) {
    ASSERT_TRUE(cluster.MustPutCF(cf, "k" + std::to_string(i), "v" + std::to_string(i)));
  }
  ASSERT_TRUE(cluster.MustDeleteCF(cf, "k2"));
  cluster.rt().RunFor(500'000);
  ASSERT_TRUE(MustGetCfOnStore(cluster, 1, cf, "k100", "", 0));
  uint64_t majority_truncated = 0;
  for (uint64_t id : {2, 3}) {
    Peer* p = cluster.GetPeer(id, 1);
    ASSERT_NE(p, nullptr);
    majority_truncated = std::max(majority_truncated, p->peer_storage->TruncatedIndex());
  }
  Peer* lagging = cluster.GetPeer(1, 1);
  ASSERT_NE(lagging, nullptr);
  ASSERT_GT(majority_truncated, lagging->peer_storage->AppliedIndex())
      << "the majority did not compact its log past store 1's applied index: no snapshot will "
         "be needed. Peers: "
      << cluster.DescribePeers() << cluster.SeedNote();

  cluster.ClearFilters();
  // Now only a snapshot can bring store 1 up to date.
  ASSERT_TRUE(MustGetCfOnStore(cluster, 1, cf, "k1", "v1"));
  ASSERT_TRUE(MustGetCfOnStore(cluster, 1, cf, "k100", "v100"));
  ASSERT_TRUE(MustGetCfOnStore(cluster, 1, cf, "k2", ""));
  RaftStore* store1 = cluster.GetStore(1);
  ASSERT_NE(store1, nullptr);
  EXPECT_GE(store1->region_worker()->snapshots_applied(), 1u)
      << "store 1 caught up without applying a snapshot" << cluster.SeedNote();

  // The snapshot's state survives a restart.
  cluster.StopServer(1);
  ASSERT_TRUE(cluster.StartServer(1));
  ASSERT_TRUE(MustGetCfOnStore(cluster, 1, cf, "k1", "v1"));
  ASSERT_TRUE(MustGetCfOnStore(cluster, 1, cf, "k100", "v100"));
  for (uint64_t id : cluster.StoreIds()) {
    auto st = meta::GetApplyState(*cluster.engines(id).kv, 1);
    ASSERT_TRUE(st.ok() && st.value().has_value()) << "store " << id << ": no apply state";
    const uint64_t applied = st.value()->applied_index();
    const uint64_t truncated = st.value()->truncated_state().index();
    EXPECT_LE(applied - truncated, 2u * kGcLimit)
        << "store " << id << ": logs were not trimmed (applied " << applied << ", truncated "
        << truncated << ")" << cluster.SeedNote();
  }
}

TEST(Raftstore2C, SnapshotRecover) {
  ASSERT_TRUE(RunGenericTest(Options(1, false, true, false, 2)));
}

TEST(Raftstore2C, SnapshotRecoverManyClients) {
  ASSERT_TRUE(RunGenericTest(Options(20, false, true, false, 3)));
}

TEST(Raftstore2C, SnapshotUnreliable) {
  ASSERT_TRUE(RunGenericTest(Options(5, true, false, false, 4)));
}

TEST(Raftstore2C, SnapshotUnreliableRecover) {
  ASSERT_TRUE(RunGenericTest(Options(5, true, true, false, 5)));
}

TEST(Raftstore2C, SnapshotUnreliableRecoverConcurrentPartition) {
  ASSERT_TRUE(RunGenericTest(Options(5, true, true, true, 6)));
}

}  // namespace
}  // namespace raftstore::testing
