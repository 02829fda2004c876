// Framework tests of the raftstore audits: each one passes on a healthy cluster and fires, with
// the message a student would read, on a fault injected behind the cluster's back (a corrupted
// engine, a test double that answers or drops a callback, a persisted apply state moved back,
// a partitioned leader). They need a working raftstore, so they skip on the stubs.

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "kv/engine_util/cf.h"
#include "proto/raft_serverpb.pb.h"
#include "raftstore/config.h"
#include "raftstore/meta/keys.h"
#include "raftstore/testing/audit/audits.h"
#include "raftstore/testing/audit/replica_check.h"
#include "raftstore/testing/cluster.h"
#include "raftstore/util/cmd_resp.h"
#include "testutil/seed.h"

namespace raftstore::testing::audit {
namespace {

ClusterOptions Options(int stores, uint64_t seed) {
  ClusterOptions o;
  o.stores = stores;
  o.seed = testutil::DeriveSeed(seed);
  return o;
}

#define START_OR_SKIP(cluster)                                                           \
  do {                                                                                   \
    ASSERT_TRUE((cluster).Start());                                                      \
    if (!(cluster).WaitLeader()) GTEST_SKIP() << "no leader: needs a working 2A and 2B"; \
  } while (0)

// What a run without faults expects: one leader term, no snapshot.
AuditOptions FaultFree() {
  AuditOptions o;
  o.expect_leader_terms = 1;
  o.expect_snapshots = 0;
  return o;
}

// Prints the audit's message so the test log shows what a student would read.
void Show(const ::testing::AssertionResult& r) { std::printf("[ AUDIT    ] %s\n", r.message()); }

uint64_t AFollower(Cluster& c) {
  const uint64_t leader = c.LeaderOfRegion(1)->store_id();
  for (uint64_t id : c.StoreIds()) {
    if (id != leader) return id;
  }
  return 0;
}

void PutSome(Cluster& c, int n) {
  for (int i = 0; i < n; ++i)
    ASSERT_TRUE(c.MustPut("k" + std::to_string(i), "v" + std::to_string(i)));
}

// --- replica comparison ---------------------------------------------------------------------

TEST(RaftstoreAudit, ReplicasAgreeOnAHealthyCluster) {
  Audits audits;
  Cluster c(Options(3, 1));
  audits.Attach(c);
  START_OR_SKIP(c);
  PutSome(c, 10);
  ASSERT_TRUE(c.MustPutCF("lock", "l1", "lock value"));
  ASSERT_TRUE(c.MustDelete("k3"));
  EXPECT_TRUE(CheckReplicas(c, 1));
  EXPECT_TRUE(audits.Check(c));
}

TEST(RaftstoreAudit, ReplicaComparisonFindsACorruptedStore) {
  Cluster c(Options(3, 2));
  START_OR_SKIP(c);
  PutSome(c, 5);
  ASSERT_TRUE(CheckReplicas(c, 1));
  const uint64_t victim = AFollower(c);
  const uint64_t leader = c.LeaderOfRegion(1)->store_id();
  // Behind the cluster's back: one changed value, one lost key, one extra lock.
  ASSERT_TRUE(c.engines(victim).kv->PutCF(kv::kCfDefault, "k1", "bogus").ok());
  ASSERT_TRUE(c.engines(victim).kv->DeleteCF(kv::kCfDefault, "k2").ok());
  ASSERT_TRUE(c.engines(victim).kv->PutCF(kv::kCfLock, "k4", "\x01\x02").ok());
  auto r = CheckReplicas(c, 1);
  Show(r);
  ASSERT_FALSE(r);
  const std::string v = std::to_string(victim), l = std::to_string(leader);
  const std::string m = r.message();
  EXPECT_NE(m.find("3 key(s) differ"), std::string::npos) << m;
  EXPECT_NE(m.find("store " + v + ", cf default, key 0x6b31 (\"k1\"): leader (store " + l +
                   ") has 0x7631 (\"v1\"), store " + v + " has 0x626f677573 (\"bogus\")"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("store " + v + ", cf default, key 0x6b32 (\"k2\"): leader (store " + l +
                   ") has 0x7632 (\"v2\"), store " + v + " has no value"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("store " + v + ", cf lock, key 0x6b34 (\"k4\"): leader (store " + l +
                   ") has no value, store " + v + " has 0x0102"),
            std::string::npos)
      << m;
}

// --- callback audit -------------------------------------------------------------------------

// Broken test doubles standing in for a handler that mishandles its callbacks. Added after the
// audit, so the callback they see is already watched.
class AnswersTwice : public ClusterObserver {
 public:
  void OnCommand(uint64_t, const raft_cmdpb::RaftCmdRequest&, Callback& cb) override {
    if (done_++ > 0) return;
    Callback copy = cb;  // the store answers the original later
    copy.Done(ErrResp(ErrStaleCommand()));
  }
  int done_ = 0;
};

class DropsCallback : public ClusterObserver {
 public:
  void OnCommand(uint64_t, const raft_cmdpb::RaftCmdRequest&, Callback& cb) override {
    if (done_++ > 0) return;
    cb = Callback();  // lost: the only copy goes away unanswered
  }
  int done_ = 0;
};

class KeepsCallback : public ClusterObserver {
 public:
  void OnCommand(uint64_t, const raft_cmdpb::RaftCmdRequest&, Callback& cb) override {
    if (done_++ > 0) return;
    kept_ = std::move(cb);  // held forever; the store gets an empty callback
    cb = Callback();
  }
  int done_ = 0;
  Callback kept_;
};

TEST(RaftstoreAudit, CallbackAnsweredTwiceFails) {
  Audits audits;
  AnswersTwice broken;
  Cluster c(Options(3, 3));
  audits.Attach(c);
  START_OR_SKIP(c);
  PutSome(c, 3);
  ASSERT_TRUE(audits.callbacks()->Failures());
  c.AddObserver(&broken);
  (void)c.MustPut("twice", "x");
  c.RemoveObserver(&broken);
  auto r = audits.Check(c);
  Show(r);
  ASSERT_FALSE(r);
  EXPECT_NE(std::string(r.message()).find("callback of Put(default, 0x7477696365 (\"twice\"))"),
            std::string::npos)
      << r.message();
  EXPECT_NE(std::string(r.message()).find("was answered 2 times: first error: "), std::string::npos)
      << r.message();
  audits.Detach();
}

TEST(RaftstoreAudit, CallbackDroppedUnansweredFails) {
  Audits audits;
  DropsCallback broken;
  Cluster c(Options(3, 4));
  audits.Attach(c);
  START_OR_SKIP(c);
  c.AddObserver(&broken);
  (void)c.MustPut("dropped", "x");  // the client retries and succeeds
  c.RemoveObserver(&broken);
  auto r = audits.Check(c);
  Show(r);
  ASSERT_FALSE(r);
  EXPECT_NE(std::string(r.message()).find("was dropped without an answer"), std::string::npos)
      << r.message();
  EXPECT_NE(std::string(r.message()).find("Put(default, 0x64726f70706564 (\"dropped\"))"),
            std::string::npos)
      << r.message();
  audits.Detach();
}

TEST(RaftstoreAudit, CallbackNeverAnsweredFailsAtQuiescence) {
  Audits audits;
  Cluster c(Options(3, 5));
  // Declared after the cluster so it dies first: the callback it keeps carries the audit's
  // watcher, which reads the cluster's clock when it is destroyed (UBSan caught the old order).
  KeepsCallback broken;
  audits.Attach(c);
  START_OR_SKIP(c);
  c.AddObserver(&broken);
  (void)c.MustPut("kept", "x");
  c.RemoveObserver(&broken);
  auto r = audits.Check(c);
  Show(r);
  ASSERT_FALSE(r);
  EXPECT_NE(std::string(r.message()).find("1 callback(s) never answered"), std::string::npos)
      << r.message();
  EXPECT_NE(std::string(r.message()).find("Put(default, 0x6b657074 (\"kept\"))"), std::string::npos)
      << r.message();
  audits.Detach();
}

// --- apply audit ----------------------------------------------------------------------------

// Writes an older RaftApplyState into the store's kv engine (as a handler that persisted the
// apply state out of order, or a stale one, would).
void MoveAppliedBack(Cluster& c, uint64_t store, uint64_t by) {
  raft_serverpb::RaftApplyState state;
  auto found = c.engines(store).kv->GetMeta(meta::ApplyStateKey(1), &state);
  ASSERT_TRUE(found.ok() && found.value());
  ASSERT_GT(state.applied_index(), by);
  state.set_applied_index(state.applied_index() - by);
  ASSERT_TRUE(c.engines(store).kv->PutMeta(meta::ApplyStateKey(1), state).ok());
}

TEST(RaftstoreAudit, AppliedIndexGoingBackFails) {
  Audits audits;
  Cluster c(Options(3, 6));
  audits.Attach(c);
  START_OR_SKIP(c);
  PutSome(c, 5);
  ASSERT_TRUE(audits.apply()->Check());
  EXPECT_GT(audits.apply()->observations(), 0u);
  MoveAppliedBack(c, AFollower(c), 3);
  c.rt().RunFor(200'000);  // heartbeats reach the store: the audit reads its state
  auto r = audits.apply()->Check();
  Show(r);
  ASSERT_FALSE(r);
  EXPECT_NE(std::string(r.message()).find("the persisted applied index went back from "),
            std::string::npos)
      << r.message();
  audits.Detach();
}

TEST(RaftstoreAudit, EntriesAppliedWithoutTheirApplyStateFailAtACrash) {
  Audits audits;
  Cluster c(Options(3, 7));
  audits.Attach(c);
  START_OR_SKIP(c);
  PutSome(c, 5);
  const uint64_t victim = AFollower(c);
  MoveAppliedBack(c, victim, 2);
  c.StopServer(victim);  // before anything reaches it
  ASSERT_TRUE(c.StartServer(victim));
  auto r = audits.apply()->Check();
  Show(r);
  ASSERT_FALSE(r);
  EXPECT_NE(std::string(r.message())
                .find("store " + std::to_string(victim) + ", region 1: crashing with entries "),
            std::string::npos)
      << r.message();
  EXPECT_NE(std::string(r.message()).find("applied a second time"), std::string::npos)
      << r.message();
  audits.Detach();
}

TEST(RaftstoreAudit, CrashAndRestartKeepTheApplyAuditQuiet) {
  Audits audits;
  Cluster c(Options(3, 8));
  audits.Attach(c);
  START_OR_SKIP(c);
  PutSome(c, 5);
  for (uint64_t id : c.StoreIds()) c.StopServer(id);
  for (uint64_t id : c.StoreIds()) ASSERT_TRUE(c.StartServer(id));
  ASSERT_TRUE(c.WaitLeader());
  PutSome(c, 5);
  EXPECT_TRUE(audits.Check(c));
  audits.Detach();
}

// --- election counters ----------------------------------------------------------------------

TEST(RaftstoreAudit, StableClusterHoldsOneElection) {
  Audits audits(FaultFree());
  Cluster c(Options(5, 9));
  audits.Attach(c);
  START_OR_SKIP(c);
  PutSome(c, 20);
  c.rt().RunFor(5'000'000);
  audits.elections()->ObserveAll();
  EXPECT_EQ(audits.elections()->leader_terms(), 1u) << audits.elections()->Describe();
  EXPECT_GE(audits.elections()->elections_started(), 1u) << audits.elections()->Describe();
  EXPECT_TRUE(audits.Check(c));
  audits.Detach();
}

TEST(RaftstoreAudit, DeposedLeaderShowsInTheCounters) {
  Audits audits(FaultFree());
  Cluster c(Options(5, 10));
  audits.Attach(c);
  START_OR_SKIP(c);
  PutSome(c, 3);
  const uint64_t old_leader = c.LeaderOfRegion(1)->store_id();
  std::set<uint64_t> rest;
  for (uint64_t id : c.StoreIds()) {
    if (id != old_leader) rest.insert(id);
  }
  c.AddFilter(std::make_unique<PartitionFilter>(std::set<uint64_t>{old_leader}, rest));
  c.rt().RunFor(3'000'000);
  c.ClearFilters();
  PutSome(c, 3);
  audits.elections()->ObserveAll();
  EXPECT_EQ(audits.elections()->leader_terms(), 2u) << audits.elections()->Describe();
  EXPECT_GE(audits.elections()->term_changes(old_leader), 1u) << audits.elections()->Describe();
  auto r = audits.Check(c);
  Show(r);
  ASSERT_FALSE(r);
  EXPECT_NE(std::string(r.message()).find("2 terms had a leader (want 1)"), std::string::npos)
      << r.message();
  audits.Detach();
}

// --- log GC audit and snapshot counters (lab 2C) ----------------------------------------------

ClusterOptions Options2C(int stores, uint64_t seed, uint64_t gc_limit) {
  ClusterOptions o = Options(stores, seed);
  o.cfg = Config::ForTests2C(gc_limit);
  return o;
}

AuditOptions WithLogGc() {
  AuditOptions o;
  o.log_gc = true;
  return o;
}

TEST(RaftstoreAudit, LogGcAuditQuietWhileLogsAreCompacted) {
  Audits audits(WithLogGc());
  Cluster c(Options2C(3, 11, 10));
  audits.Attach(c);
  START_OR_SKIP(c);
  PutSome(c, 80);
  c.rt().RunFor(500'000);
  ASSERT_NE(audits.log_gc(), nullptr);
  EXPECT_TRUE(audits.Check(c));
  EXPECT_GT(audits.log_gc()->samples(), 0u);
  // 80 writes with a limit of 10: compacted many times, never more than a few ticks' worth.
  EXPECT_LT(audits.log_gc()->max_engine_entries(), 80u) << audits.log_gc()->Describe();
  EXPECT_LE(audits.log_gc()->max_memory_entries(), audits.log_gc()->Bound())
      << audits.log_gc()->Describe();
  Show(::testing::AssertionFailure() << audits.log_gc()->Describe());
  audits.Detach();
}

// Log entries below the truncated index left in the raft engine behind the cluster's back (as
// a store that never runs its raftlog-gc tasks would leave them).
TEST(RaftstoreAudit, CompactedEntriesLeftInTheRaftEngineFail) {
  Audits audits(WithLogGc());
  Cluster c(Options2C(3, 12, 10));
  audits.Attach(c);
  START_OR_SKIP(c);
  PutSome(c, 400);
  c.rt().RunFor(300'000);
  ASSERT_TRUE(audits.log_gc()->Check());
  const uint64_t victim = AFollower(c);
  const uint64_t truncated = c.GetPeer(victim, 1)->peer_storage->TruncatedIndex();
  ASSERT_GT(truncated - meta::kRaftInitLogIndex, audits.log_gc()->Bound())
      << audits.log_gc()->Describe();
  // Every compacted entry back in the raft engine.
  eraftpb::Entry e;
  e.set_term(6);
  for (uint64_t i = meta::kRaftInitLogIndex + 1; i <= truncated; ++i) {
    e.set_index(i);
    ASSERT_TRUE(c.engines(victim).raft->PutMeta(meta::RaftLogKey(1, i), e).ok());
  }
  auto r = audits.log_gc()->Check();
  Show(r);
  ASSERT_FALSE(r);
  const std::string m = r.message();
  EXPECT_NE(m.find("store " + std::to_string(victim) + ", region 1: the raft engine holds "),
            std::string::npos)
      << m;
  EXPECT_NE(m.find(std::to_string(truncated - meta::kRaftInitLogIndex) +
                   " of them are at or below the truncated index"),
            std::string::npos)
      << m;
  audits.Detach();
}

TEST(RaftstoreAudit, TruncatedStateGoingBackFails) {
  Audits audits(WithLogGc());
  Cluster c(Options2C(3, 13, 10));
  audits.Attach(c);
  START_OR_SKIP(c);
  PutSome(c, 40);
  c.rt().RunFor(300'000);
  ASSERT_TRUE(audits.log_gc()->Check());
  const uint64_t victim = AFollower(c);
  raft_serverpb::RaftApplyState state;
  auto found = c.engines(victim).kv->GetMeta(meta::ApplyStateKey(1), &state);
  ASSERT_TRUE(found.ok() && found.value());
  ASSERT_GT(state.truncated_state().index(), meta::kRaftInitLogIndex);
  state.mutable_truncated_state()->set_index(state.truncated_state().index() - 1);
  ASSERT_TRUE(c.engines(victim).kv->PutMeta(meta::ApplyStateKey(1), state).ok());
  c.rt().RunFor(200'000);  // the next samples read it
  auto r = audits.log_gc()->Check();
  Show(r);
  ASSERT_FALSE(r);
  EXPECT_NE(std::string(r.message())
                .find("store " + std::to_string(victim) +
                      ", region 1: the persisted truncated state went back from index "),
            std::string::npos)
      << r.message();
  audits.Detach();
}

TEST(RaftstoreAudit, SnapshotCountersSurviveARestart) {
  Audits audits(WithLogGc());
  Cluster c(Options2C(3, 14, 10));
  audits.Attach(c);
  START_OR_SKIP(c);
  PutSome(c, 3);
  const uint64_t leader = c.LeaderOfRegion(1)->store_id();
  const uint64_t victim = AFollower(c);
  c.StopServer(victim);
  PutSome(c, 40);
  c.rt().RunFor(300'000);
  ASSERT_TRUE(c.StartServer(victim));
  ASSERT_TRUE(c.MustGetEqualOnStore(victim, "k39", "v39"));
  SnapshotCounters& s = *audits.snapshots();
  EXPECT_EQ(s.applied(victim), 1u) << s.Describe();
  EXPECT_GE(s.sent_to(victim), 1u) << s.Describe();
  EXPECT_EQ(s.sent_from(leader), s.sent()) << s.Describe();
  EXPECT_GE(s.generations_scheduled(leader), 1u) << s.Describe();
  // The store's region worker starts from zero after a restart; the counters do not.
  c.StopServer(victim);
  ASSERT_TRUE(c.StartServer(victim));
  EXPECT_EQ(c.GetStore(victim)->region_worker()->snapshots_applied(), 0u);
  EXPECT_EQ(s.applied(victim), 1u) << s.Describe();
  EXPECT_TRUE(audits.Check(c));
  audits.Detach();
}

}  // namespace
}  // namespace raftstore::testing::audit
