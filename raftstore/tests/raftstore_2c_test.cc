// Lab 2C: log GC and snapshots in raftstore. The scenarios of TinyKV's
// test_raftstore/test_test.go (2C), on a simulated cluster in virtual time: one follower cut
// off while the log is compacted and brought back by a snapshot, and the randomized
// GenericTest with a small GC threshold, so that logs are compacted over and over and
// restarted or partitioned stores catch up by snapshot. Each checks that every store's log
// stays trimmed (applied - truncated <= 2 * limit), and the clients' history is linearizable.
// See docs/lab2c.md.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "kv/engine_util/cf.h"
#include "raftstore/meta/keys.h"
#include "raftstore/meta/values.h"
#include "raftstore/snap/snap_manager.h"
#include "raftstore/testing/audit/audits.h"
#include "raftstore/testing/audit/election_counters.h"
#include "raftstore/testing/audit/persisted_state_audit.h"
#include "raftstore/testing/audit/scoped_observer.h"
#include "raftstore/testing/audit/snapshot_counters.h"
#include "raftstore/testing/cluster.h"
#include "raftstore/testing/compact_old_term.h"
#include "raftstore/testing/generic_test.h"
#include "testutil/seed.h"

namespace raftstore::testing {
namespace {

constexpr int kGcLimit = 10;

// A cluster of `stores` compacting its log every kGcLimit entries, seeded from `seed_index`.
ClusterOptions SmallGcCluster(int stores, uint64_t seed_index) {
  ClusterOptions o;
  o.stores = stores;
  o.cfg = Config::ForTests2C(kGcLimit);
  o.seed = testutil::DeriveSeed(seed_index);
  return o;
}

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
  Cluster cluster(SmallGcCluster(3, 1));
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
  // The applied snapshot's files are removed after the apply, and any copy Raft ignored (the
  // leader may send it more than once) once store 1 has applied past it: nothing stays.
  snap::SnapManager* mgr = store1->snap_mgr();
  std::vector<std::string> left;
  auto snap_dir_empty = [&] {
    left.clear();
    std::vector<std::string> files;
    if (!mgr->env()->GetChildren(mgr->dir(), &files).ok()) return false;
    for (const std::string& f : files) {
      if (f != "." && f != "..") left.push_back(f);
    }
    return left.empty();
  };
  EXPECT_TRUE(cluster.rt().RunUntil(snap_dir_empty, cluster.rt().Now() + 1'000'000))
      << "store 1 still holds " << left.size() << " snapshot file(s) ("
      << (left.empty() ? std::string("directory unreadable") : "first: " + left.front())
      << ") 1 s after it caught up: received snapshot files must not pile up" << cluster.SeedNote();

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

// CompactLog and the raftlog-gc worker: with a limit of 10, every store's apply state moves
// its truncated index forward, the raftlog-gc worker deletes the entries up to it from the
// raft engine (and nothing after it), Raft's in-memory log starts after it, and none of that
// needs a snapshot while every store keeps up. A restart reads the compacted log back.
TEST(Raftstore2C, CompactLogTrimsEveryStore) {
  Cluster cluster(SmallGcCluster(3, 7));
  // Also: what the engines say about the log is true (truncated term, last index, ...) at every
  // sample, preemption point and restart.
  audit::PersistedStateAudit persisted(&cluster, 1);
  audit::ScopedObserver watch_persisted(cluster, &persisted);
  ASSERT_TRUE(cluster.Start());
  ASSERT_TRUE(cluster.WaitLeader());
  for (int i = 0; i < 60; ++i) {
    ASSERT_TRUE(cluster.MustPut("key" + std::to_string(i), "value" + std::to_string(i)));
  }
  cluster.rt().RunFor(1'000'000);  // every store applies, compacts and collects its log

  auto check = [&](const std::string& when) -> ::testing::AssertionResult {
    for (uint64_t id : cluster.StoreIds()) {
      Peer* p = cluster.GetPeer(id, 1);
      if (p == nullptr) return ::testing::AssertionFailure() << "store " << id << ": no peer";
      auto st = meta::GetApplyState(*cluster.engines(id).kv, 1);
      if (!st.ok() || !st.value().has_value()) {
        return ::testing::AssertionFailure() << "store " << id << ": no apply state";
      }
      const uint64_t applied = st.value()->applied_index();
      const uint64_t truncated = st.value()->truncated_state().index();
      std::string where = when + ", store " + std::to_string(id) + " (applied " +
                          std::to_string(applied) + ", truncated " + std::to_string(truncated) +
                          ")";
      if (truncated <= meta::kRaftInitLogIndex + kGcLimit) {
        return ::testing::AssertionFailure()
               << where << ": the log was never compacted (CompactLog not applied?)"
               << cluster.SeedNote();
      }
      if (applied - truncated > 2 * kGcLimit) {
        return ::testing::AssertionFailure() << where << ": logs were not trimmed";
      }
      auto term = p->peer_storage->Term(truncated);
      if (!term.ok() || term.value() != st.value()->truncated_state().term()) {
        return ::testing::AssertionFailure()
               << where << ": Term(truncated index) must answer the truncated term";
      }
      for (uint64_t i = meta::kRaftInitLogIndex + 1; i <= applied; ++i) {
        auto e = meta::GetRaftEntry(*cluster.engines(id).raft, 1, i);
        if (!e.ok()) return ::testing::AssertionFailure() << e.status().ToString();
        if (i <= truncated && e.value().has_value()) {
          return ::testing::AssertionFailure()
                 << where << ": entry " << i
                 << " is still in the raft engine (ScheduleCompactLog after CompactLog?)";
        }
        if (i > truncated && !e.value().has_value()) {
          return ::testing::AssertionFailure()
                 << where << ": entry " << i << " after the truncated index was deleted";
        }
      }
      // Raft's in-memory log dropped them too (maybeCompact, after Advance).
      auto raft_term = p->raft_group->raft->raft_log.Term(truncated - 1);
      if (raft_term.ok() || raft_term.code() != raft::ErrCompacted) {
        return ::testing::AssertionFailure()
               << where << ": Raft's log still answers the term of entry " << truncated - 1
               << " instead of ErrCompacted";
      }
      if (cluster.GetStore(id)->region_worker()->snapshots_applied() != 0) {
        return ::testing::AssertionFailure()
               << where << ": applied a snapshot although it never fell behind";
      }
    }
    return ::testing::AssertionSuccess();
  };
  ASSERT_TRUE(check("after 60 writes"));
  for (uint64_t id : cluster.StoreIds()) cluster.StopServer(id);
  for (uint64_t id : cluster.StoreIds()) ASSERT_TRUE(cluster.StartServer(id));
  ASSERT_TRUE(cluster.WaitLeader());
  ASSERT_TRUE(cluster.MustGet("key0", "value0"));
  ASSERT_TRUE(cluster.MustGet("key59", "value59"));
  ASSERT_TRUE(cluster.MustPut("after", "restart"));
  cluster.rt().RunFor(500'000);
  ASSERT_TRUE(check("after a restart"));
  EXPECT_TRUE(persisted.Check());
}

TEST(Raftstore2C, CompactOldTermAfterLeaderChange) {
  Cluster cluster(SmallGcCluster(3, 12));
  ASSERT_TRUE(CompactOldTermThenLag(cluster, kGcLimit, /*exact_old_term=*/false));
}

// Drops one chunk (not the first) of the first `broken` snapshot transfers to `store`.
class LoseOneChunkFilter : public Filter {
 public:
  LoseOneChunkFilter(uint64_t store, int broken) : store_(store), broken_(broken) {}
  bool Before(const raft_serverpb::RaftMessage& msg, runtime::Runtime&, runtime::Micros*) override {
    if (msg.to_peer().store_id() != store_ || transfers_ >= broken_) return true;
    if (!msg.has_snap_chunk()) {
      if (msg.message().msg_type() == eraftpb::MsgSnapshot) {
        ++transfers_;
        dropped_this_transfer_ = false;
      }
      return true;
    }
    if (msg.snap_chunk().offset() > 0 && !dropped_this_transfer_) {
      dropped_this_transfer_ = true;
      ++chunks_dropped_;
      return false;
    }
    return true;
  }
  std::string Describe() const override { return "lose one chunk of the first transfers"; }
  int chunks_dropped() const { return chunks_dropped_; }

 private:
  uint64_t store_;
  int broken_;
  int transfers_ = 0;
  bool dropped_this_transfer_ = false;
  int chunks_dropped_ = 0;
};

// A snapshot whose files arrive incomplete is never applied: the follower does not step its
// MsgSnapshot, the leader sends it again, and only a complete one is applied.
TEST(Raftstore2C, IncompleteSnapshotIsNeverApplied) {
  Cluster cluster(SmallGcCluster(3, 8));
  ASSERT_TRUE(cluster.Start());
  ASSERT_TRUE(cluster.WaitLeader());
  ASSERT_TRUE(cluster.MustPut("k0", "v0"));
  std::optional<metapb::Peer> leader = cluster.LeaderOfRegion(1);
  ASSERT_TRUE(leader.has_value());
  const uint64_t lagging = leader->store_id() == 1 ? 2 : 1;
  std::set<uint64_t> rest;
  for (uint64_t id : cluster.StoreIds()) {
    if (id != lagging) rest.insert(id);
  }
  cluster.AddFilter(std::make_unique<PartitionFilter>(std::set<uint64_t>{lagging}, rest));
  // Values big enough (and random: SST files are compressed) for the snapshot to need
  // several chunks.
  std::mt19937_64 gen(cluster.seed());
  std::string big;
  for (int i = 1; i <= 30; ++i) {
    big.clear();
    for (int j = 0; j < 4096; ++j) big.push_back(static_cast<char>('a' + gen() % 26));
    ASSERT_TRUE(cluster.MustPut("k" + std::to_string(i), big));
  }
  cluster.rt().RunFor(500'000);
  cluster.ClearFilters();
  auto filter = std::make_unique<LoseOneChunkFilter>(lagging, 2);
  LoseOneChunkFilter* lose = filter.get();
  cluster.AddFilter(std::move(filter));
  ASSERT_TRUE(cluster.MustPut("last", "one"));
  ASSERT_TRUE(
      MustGetCfOnStore(cluster, lagging, std::string(kv::kCfDefault), "last", "one", 20'000'000));
  ASSERT_TRUE(MustGetCfOnStore(cluster, lagging, std::string(kv::kCfDefault), "k30", big));
  EXPECT_EQ(lose->chunks_dropped(), 2)
      << "the test meant to break two transfers" << cluster.SeedNote();
  RaftStore* store = cluster.GetStore(lagging);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->region_worker()->snapshots_applied(), 1u)
      << "exactly one (complete) snapshot should have been applied" << cluster.SeedNote();
  EXPECT_EQ(store->region_worker()->applies_failed(), 0u) << cluster.SeedNote();
  EXPECT_GE(cluster.transport().snapshots_sent(), 3u)
      << "two broken transfers and a good one" << cluster.SeedNote();
}

// The counters (raftstore/testing/audit/): a follower that was down while the log was
// compacted far past it costs exactly one applied snapshot, and only a few sent; nobody else
// gets one, and nobody starts an election.
//
// The bounds on snapshots sent:
//   - while the follower is down, at most one per compaction of the leader's log (+1): after
//     sending one, the leader moves the follower's Next past it, and only needs another once
//     the log is compacted past that. A compaction needs kGcLimit new entries, so there are at
//     most (entries appended while it was down) / kGcLimit of them. A leader that leaves Next
//     where it was sends one on every append it broadcasts (dozens here).
//   - after the restart, at most 2: one when the follower's first answer shows it is behind
//     the log's start; another only if a MsgAppend of the next heartbeat round overtakes the
//     snapshot's chunks (it is not part of their stream) and is rejected before the snapshot
//     lands. With no writes in between, that one is within the log and the follower takes it.
//     A leader that starts over on every heartbeat round sends about 20 in the 2 s waited.
TEST(Raftstore2C, LaggingFollowerCostsOneSnapshot) {
  Cluster cluster(SmallGcCluster(3, 9));
  audit::SnapshotCounters snaps(&cluster);
  audit::ElectionCounters elections(&cluster, 1);
  audit::ScopedObserver watch_snaps(cluster, &snaps);
  audit::ScopedObserver watch_elections(cluster, &elections);
  ASSERT_TRUE(cluster.Start());
  ASSERT_TRUE(cluster.WaitLeader());
  const uint64_t leader = cluster.LeaderOfRegion(1)->store_id();
  const uint64_t lagging = leader == 1 ? 2 : 1;
  const uint64_t other = 6 - leader - lagging;
  elections.ObserveAll();
  const uint64_t elections_at_start = elections.elections_started();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(cluster.MustPut("k" + std::to_string(i), "v" + std::to_string(i)));
  }
  ASSERT_TRUE(MustGetCfOnStore(cluster, lagging, std::string(kv::kCfDefault), "k4", "v4"));
  EXPECT_EQ(snaps.sent(), 0u) << "no follower was behind: " << snaps.Describe()
                              << cluster.SeedNote();
  const uint64_t lagging_applied = cluster.GetPeer(lagging, 1)->peer_storage->AppliedIndex();
  const uint64_t sent_at_stop = snaps.sent_to(lagging);
  const uint64_t last_at_stop = cluster.GetPeer(leader, 1)->raft_group->raft->raft_log.LastIndex();

  cluster.StopServer(lagging);
  for (int i = 5; i < 60; ++i) {
    ASSERT_TRUE(cluster.MustPut("k" + std::to_string(i), "v" + std::to_string(i)));
  }
  cluster.rt().RunFor(300'000);
  ASSERT_GT(cluster.GetPeer(leader, 1)->peer_storage->TruncatedIndex(), lagging_applied)
      << "the leader did not compact its log past the stopped follower: no snapshot needed. "
         "Peers: "
      << cluster.DescribePeers() << cluster.SeedNote();
  // While the follower was down the leader tried (the sends were lost).
  const uint64_t appended_while_down =
      cluster.GetPeer(leader, 1)->raft_group->raft->raft_log.LastIndex() - last_at_stop;
  const uint64_t sent_while_down = snaps.sent_to(lagging) - sent_at_stop;
  EXPECT_LE(sent_while_down, appended_while_down / kGcLimit + 1)
      << "snapshots sent to store " << lagging << " while it was down, for " << appended_while_down
      << " entries appended with a GC limit of " << kGcLimit
      << " (at most one per compaction). Counters: " << snaps.Describe() << cluster.SeedNote();
  const uint64_t sent_before = snaps.sent_to(lagging);
  const uint64_t gens_before = snaps.generations_scheduled(leader);

  ASSERT_TRUE(cluster.StartServer(lagging));
  ASSERT_TRUE(MustGetCfOnStore(cluster, lagging, std::string(kv::kCfDefault), "k59", "v59"));
  cluster.rt().RunFor(2'000'000);  // 20 heartbeat rounds
  const std::string figures = ". Counters: " + snaps.Describe() + "; " + elections.Describe() +
                              ". Peers: " + cluster.DescribePeers() + cluster.SeedNote();
  EXPECT_EQ(snaps.applied(lagging), 1u)
      << "store " << lagging << " should catch up with exactly one snapshot" << figures;
  EXPECT_LE(snaps.sent_to(lagging) - sent_before, 2u)
      << "snapshots sent to store " << lagging << " after its restart" << figures;
  EXPECT_LE(snaps.generations_scheduled(leader) - gens_before, 2u)
      << "snapshot generations on the leader (store " << leader << ") after the restart" << figures;
  EXPECT_EQ(snaps.sent_to(other), 0u) << "store " << other << " never fell behind" << figures;
  EXPECT_EQ(snaps.applied(other), 0u) << "store " << other << " never fell behind" << figures;
  elections.ObserveAll();
  EXPECT_EQ(elections.elections_started(), elections_at_start)
      << "the restarted follower hears the leader before its election timeout: no election"
      << figures;
  EXPECT_EQ(elections.leader_terms(), 1u) << figures;
  std::printf(
      "[ COUNTERS ] store %llu: %llu snapshot(s) sent to it while it was down (%llu entries "
      "appended), %llu after its restart, %llu generated after; %s\n",
      static_cast<unsigned long long>(lagging), static_cast<unsigned long long>(sent_while_down),
      static_cast<unsigned long long>(appended_while_down),
      static_cast<unsigned long long>(snaps.sent_to(lagging) - sent_before),
      static_cast<unsigned long long>(snaps.generations_scheduled(leader) - gens_before),
      snaps.Describe().c_str());
}

// A cluster without faults compacts its log over and over, and never needs a snapshot or a
// second election: every follower keeps up with the leader's log.
TEST(Raftstore2C, StableClusterNeedsNoSnapshotAndNoElection) {
  Cluster cluster(SmallGcCluster(5, 10));
  audit::SnapshotCounters snaps(&cluster);
  audit::ElectionCounters elections(&cluster, 1);
  audit::ScopedObserver watch_snaps(cluster, &snaps);
  audit::ScopedObserver watch_elections(cluster, &elections);
  ASSERT_TRUE(cluster.Start());
  ASSERT_TRUE(cluster.WaitLeader());
  elections.ObserveAll();
  const uint64_t elections_at_start = elections.elections_started();
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(cluster.MustPut("k" + std::to_string(i), "v" + std::to_string(i)));
  }
  cluster.rt().RunFor(1'000'000);
  elections.ObserveAll();
  const std::string figures = ". Counters: " + snaps.Describe() + "; " + elections.Describe() +
                              ". Peers: " + cluster.DescribePeers() + cluster.SeedNote();
  const uint64_t leader = cluster.LeaderOfRegion(1)->store_id();
  EXPECT_GT(cluster.GetPeer(leader, 1)->peer_storage->TruncatedIndex(),
            meta::kRaftInitLogIndex + 5 * kGcLimit)
      << "100 writes with a GC limit of " << kGcLimit << " should compact the log" << figures;
  EXPECT_EQ(snaps.sent(), 0u) << figures;
  EXPECT_EQ(snaps.generations_scheduled(), 0u) << figures;
  EXPECT_EQ(snaps.applied(), 0u) << figures;
  EXPECT_EQ(elections.elections_started(), elections_at_start) << figures;
  EXPECT_EQ(elections.leader_terms(), 1u) << figures;
}

// Keeps a copy of the first complete snapshot transfer (its chunks and its MsgSnapshot) sent to
// `store`, so that a test can deliver it again later.
class RecordSnapshotFilter : public Filter {
 public:
  explicit RecordSnapshotFilter(uint64_t store) : store_(store) {}
  bool Before(const raft_serverpb::RaftMessage& msg, runtime::Runtime&, runtime::Micros*) override {
    if (done_ || msg.to_peer().store_id() != store_) return true;
    if (msg.has_snap_chunk()) {
      recorded_.push_back(msg);
    } else if (msg.message().msg_type() == eraftpb::MsgSnapshot) {
      recorded_.push_back(msg);
      done_ = true;
    }
    return true;
  }
  std::string Describe() const override { return "record a snapshot transfer"; }
  bool done() const { return done_; }
  uint64_t index() const {
    return done_ ? recorded_.back().message().snapshot().metadata().index() : 0;
  }
  const std::vector<raft_serverpb::RaftMessage>& recorded() const { return recorded_; }

 private:
  uint64_t store_;
  bool done_ = false;
  std::vector<raft_serverpb::RaftMessage> recorded_;
};

// A snapshot message that arrives again, long after the follower applied it and moved on
// (compacted its own log past it), is old news: Raft must not restore it. Restoring it would
// move the follower's applied index and truncated state back and apply the entries after it a
// second time; the audits (apply audit, log GC audit, snapshot counters) say so.
TEST(Raftstore2C, ReplayedSnapshotIsIgnored) {
  audit::AuditOptions ao;
  ao.log_gc = true;
  audit::Audits audits(ao);
  Cluster cluster(SmallGcCluster(3, 11));
  audits.Attach(cluster);
  ASSERT_TRUE(cluster.Start());
  ASSERT_TRUE(cluster.WaitLeader());
  const uint64_t leader = cluster.LeaderOfRegion(1)->store_id();
  const uint64_t lagging = leader == 1 ? 2 : 1;
  ASSERT_TRUE(cluster.MustPut("k0", "v0"));
  ASSERT_TRUE(MustGetCfOnStore(cluster, lagging, std::string(kv::kCfDefault), "k0", "v0"));
  cluster.StopServer(lagging);
  for (int i = 1; i < 40; ++i) {
    ASSERT_TRUE(cluster.MustPut("k" + std::to_string(i), "v" + std::to_string(i)));
  }
  cluster.rt().RunFor(300'000);  // the leader's last compaction lands
  auto filter = std::make_unique<RecordSnapshotFilter>(lagging);
  RecordSnapshotFilter* recorder = filter.get();
  cluster.AddFilter(std::move(filter));
  ASSERT_TRUE(cluster.StartServer(lagging));
  ASSERT_TRUE(MustGetCfOnStore(cluster, lagging, std::string(kv::kCfDefault), "k39", "v39"));
  ASSERT_TRUE(recorder->done()) << "store " << lagging << " caught up without a snapshot"
                                << cluster.SeedNote();
  const uint64_t applied_before = audits.snapshots()->applied(lagging);
  ASSERT_GE(applied_before, 1u) << audits.snapshots()->Describe() << cluster.SeedNote();

  // The follower moves on and compacts its own log past the snapshot.
  for (int i = 40; i < 80; ++i) {
    ASSERT_TRUE(cluster.MustPut("k" + std::to_string(i), "v" + std::to_string(i)));
  }
  ASSERT_TRUE(MustGetCfOnStore(cluster, lagging, std::string(kv::kCfDefault), "k79", "v79"));
  cluster.rt().RunFor(300'000);
  ASSERT_GT(cluster.GetPeer(lagging, 1)->peer_storage->TruncatedIndex(), recorder->index())
      << "store " << lagging
      << " did not compact past the snapshot. Peers: " << cluster.DescribePeers()
      << cluster.SeedNote();

  // The same transfer again, in the same term.
  for (const raft_serverpb::RaftMessage& m : recorder->recorded()) {
    ASSERT_TRUE(cluster.transport().Send(m).ok());
  }
  cluster.rt().RunFor(1'000'000);
  EXPECT_EQ(audits.snapshots()->applied(lagging), applied_before)
      << "store " << lagging << " applied the snapshot at index " << recorder->index()
      << " again: " << audits.snapshots()->Describe() << ". Peers: " << cluster.DescribePeers()
      << cluster.SeedNote();
  // Restoring it would have moved the persisted applied index and truncated state back.
  EXPECT_TRUE(audits.apply()->Check());
  EXPECT_TRUE(audits.log_gc()->Check());
  ASSERT_TRUE(cluster.MustPut("after", "replay"));
  ASSERT_TRUE(MustGetCfOnStore(cluster, lagging, std::string(kv::kCfDefault), "after", "replay"));
  ASSERT_TRUE(MustGetCfOnStore(cluster, lagging, std::string(kv::kCfDefault), "k79", "v79"));
  EXPECT_TRUE(audits.Check(cluster));
}

TEST(Raftstore2C, SnapshotRecover) {
  ASSERT_TRUE(RunGenericTest(Options(1, false, true, false, 2)));
}

TEST(Raftstore2C, SnapshotRecoverManyClients) {
  GenericTestOptions o = Options(20, false, true, false, 3);
  // 20 clients do in 0.5 s what 5 do in 2 s: rounds this long already compact every log
  // dozens of times.
  o.iteration_time = 500'000;
  ASSERT_TRUE(RunGenericTest(o));
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
