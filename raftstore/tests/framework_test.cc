// Tests of raftstore's framework (not graded): bootstrap, the given half of PeerStorage, and the
// simulated cluster itself — determinism, crash and restart, network filters, RaftStorage.
// The cluster tests need a working Raft and lab 2B underneath; on the student stubs they skip
// (no leader is ever elected), on the reference they run.

#include <gtest/gtest.h>

#include "kv/engine_util/cf.h"
#include "raft/errors.h"
#include "raftstore/bootstrap.h"
#include "raftstore/meta/keys.h"
#include "raftstore/meta/values.h"
#include "raftstore/peer_storage.h"
#include "raftstore/raft_storage.h"
#include "raftstore/testing/cluster.h"
#include "testutil/seed.h"

namespace raftstore {
namespace {

metapb::Region Region3() {
  metapb::Region r;
  r.set_id(1);
  r.mutable_region_epoch()->set_conf_ver(1);
  r.mutable_region_epoch()->set_version(1);
  for (uint64_t id : {1, 2, 3}) {
    metapb::Peer* p = r.add_peers();
    p->set_id(id);
    p->set_store_id(id);
  }
  return r;
}

kv::Engines OpenEngines(const std::shared_ptr<rocksdb::Env>& env) {
  EXPECT_TRUE(env->CreateDirIfMissing("/fw").ok());
  auto e = kv::Engines::Open("/fw/store", env);
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  return std::move(e).value();
}

TEST(RaftstoreFramework, BootstrapWritesInitialStateOnce) {
  auto env = kv::NewInMemoryEnv();
  kv::Engines engines = OpenEngines(env);
  ASSERT_TRUE(BootstrapStore(engines, 1, 7).ok());
  auto ident = GetStoreIdent(engines);
  ASSERT_TRUE(ident.ok() && ident.value().has_value());
  EXPECT_EQ(ident.value()->store_id(), 7u);
  EXPECT_FALSE(BootstrapStore(engines, 1, 7).ok()) << "a bootstrapped store is not empty";

  ASSERT_TRUE(PrepareBootstrapCluster(engines, Region3()).ok());
  EXPECT_FALSE(PrepareBootstrapCluster(engines, Region3()).ok());
  auto raft_state = meta::GetRaftLocalState(*engines.raft, 1);
  ASSERT_TRUE(raft_state.ok() && raft_state.value().has_value());
  EXPECT_EQ(raft_state.value()->last_index(), meta::kRaftInitLogIndex);
  EXPECT_EQ(raft_state.value()->hard_state().commit(), meta::kRaftInitLogIndex);
  auto apply = meta::GetApplyState(*engines.kv, 1);
  ASSERT_TRUE(apply.ok() && apply.value().has_value());
  EXPECT_EQ(apply.value()->applied_index(), meta::kRaftInitLogIndex);
  EXPECT_EQ(apply.value()->truncated_state().term(), meta::kRaftInitLogTerm);
  auto region = meta::GetRegionLocalState(*engines.kv, 1);
  ASSERT_TRUE(region.ok() && region.value().has_value());
  EXPECT_EQ(region.value()->region().peers_size(), 3);
  ASSERT_TRUE(ClearPrepareBootstrapState(engines).ok());
  (void)engines.Close();
}

// The given raft::Storage half of PeerStorage, on a log written straight into the engine.
TEST(RaftstoreFramework, PeerStorageReadsTheLog) {
  auto env = kv::NewInMemoryEnv();
  kv::Engines engines = OpenEngines(env);
  ASSERT_TRUE(PrepareBootstrapCluster(engines, Region3()).ok());
  kv::WriteBatch wb;
  for (uint64_t i = 6; i <= 9; ++i) {
    eraftpb::Entry e;
    e.set_index(i);
    e.set_term(i < 8 ? 6 : 7);
    wb.SetMeta(meta::RaftLogKey(1, i), e);
  }
  raft_serverpb::RaftLocalState state;
  state.set_last_index(9);
  state.set_last_term(7);
  state.mutable_hard_state()->set_term(7);
  state.mutable_hard_state()->set_vote(2);
  state.mutable_hard_state()->set_commit(8);
  wb.SetMeta(meta::RaftStateKey(1), state);
  ASSERT_TRUE(engines.WriteRaft(wb).ok());

  auto created = PeerStorage::Create(&engines, Region3(), "[region 1] 1");
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  PeerStorage& ps = *created.value();
  EXPECT_EQ(ps.FirstIndex().value(), 6u);
  EXPECT_EQ(ps.LastIndex().value(), 9u);
  EXPECT_EQ(ps.Term(5).value(), 5u);
  EXPECT_EQ(ps.Term(7).value(), 6u);
  EXPECT_EQ(ps.Term(9).value(), 7u);
  EXPECT_EQ(ps.Term(4).code(), raft::ErrCompacted);
  EXPECT_EQ(ps.Term(10).code(), raft::ErrUnavailable);
  auto ents = ps.Entries(6, 10);
  ASSERT_TRUE(ents.ok()) << ents.error().ToString();
  EXPECT_EQ(ents.value().size(), 4u);
  EXPECT_EQ(ps.Entries(5, 7).code(), raft::ErrCompacted);
  EXPECT_EQ(ps.Entries(6, 11).code(), raft::ErrUnavailable);
  EXPECT_TRUE(ps.Entries(7, 7).ok());
  EXPECT_EQ(ps.Snapshot().code(), raft::ErrSnapshotTemporarilyUnavailable);
  auto init = ps.InitialState();
  ASSERT_TRUE(init.ok());
  EXPECT_EQ(init.value().hard_state.vote(), 2u);
  EXPECT_EQ(init.value().conf_state.nodes_size(), 3);
  created.value().reset();
  (void)engines.Close();
}

namespace t = ::raftstore::testing;

t::ClusterOptions Options(int stores, uint64_t seed) {
  t::ClusterOptions o;
  o.stores = stores;
  o.seed = seed;
  return o;
}

#define START_OR_SKIP(cluster)                                                           \
  do {                                                                                   \
    ASSERT_TRUE((cluster).Start());                                                      \
    if (!(cluster).WaitLeader()) GTEST_SKIP() << "no leader: needs a working 2A and 2B"; \
  } while (0)

TEST(RaftstoreFramework, SameSeedSameRun) {
  std::vector<runtime::Event> traces[2];
  for (auto& trace : traces) {
    t::Cluster c(Options(3, testutil::DeriveSeed(1)));
    c.rt().set_tracing(true);
    START_OR_SKIP(c);
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE(c.MustPut("k" + std::to_string(i), "v"));
    }
    c.AddFilter(std::make_unique<t::DropFilter>(0.3));
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(c.MustGet("k" + std::to_string(i), "v"));
    trace = c.rt().trace();
  }
  ASSERT_EQ(traces[0].size(), traces[1].size());
  for (size_t i = 0; i < traces[0].size(); ++i) {
    ASSERT_EQ(traces[0][i], traces[1][i]) << "runs diverge at event " << i;
  }
}

TEST(RaftstoreFramework, RestartKeepsData) {
  t::Cluster c(Options(3, testutil::DeriveSeed(2)));
  START_OR_SKIP(c);
  ASSERT_TRUE(c.MustPut("a", "1"));
  ASSERT_TRUE(c.MustPut("b", "2"));
  ASSERT_TRUE(c.MustDelete("a"));
  for (uint64_t id : c.StoreIds()) c.StopServer(id);
  EXPECT_FALSE(c.IsRunning(1));
  c.rt().RunFor(1'000'000);
  for (uint64_t id : c.StoreIds()) ASSERT_TRUE(c.StartServer(id));
  ASSERT_TRUE(c.MustGetNone("a"));
  ASSERT_TRUE(c.MustGet("b", "2"));
  for (uint64_t id : c.StoreIds()) ASSERT_TRUE(c.MustGetEqualOnStore(id, "b", "2"));
}

TEST(RaftstoreFramework, IsolatedStoreMissesWritesUntilHealed) {
  t::Cluster c(Options(3, testutil::DeriveSeed(3)));
  START_OR_SKIP(c);
  auto leader = c.LeaderOfRegion(1);
  ASSERT_TRUE(leader.has_value());
  const uint64_t follower = leader->store_id() == 1 ? 2 : 1;
  c.AddFilter(std::make_unique<t::IsolateFilter>(follower));
  EXPECT_NE(c.transport().DescribeFilters().find("isolate"), std::string::npos);
  ASSERT_TRUE(c.MustPut("k", "v"));
  ASSERT_TRUE(c.MustGetNoneOnStore(follower, "k", 500'000));
  c.ClearFilters();
  ASSERT_TRUE(c.MustGetEqualOnStore(follower, "k", "v"));
  EXPECT_GT(c.transport().dropped(), 0u);
}

TEST(RaftstoreFramework, DelayFilterSlowsButDelivers) {
  t::Cluster c(Options(3, testutil::DeriveSeed(4)));
  START_OR_SKIP(c);
  c.AddFilter(std::make_unique<t::DelayFilter>(20'000, 40'000));
  const runtime::Micros start = c.rt().Now();
  ASSERT_TRUE(c.MustPut("k", "v"));
  EXPECT_GE(c.rt().Now() - start, 40'000u) << "a round trip takes at least two delays";
  ASSERT_TRUE(c.MustGet("k", "v"));
}

TEST(RaftstoreFramework, ScanReadsRangeInOrder) {
  t::Cluster c(Options(3, testutil::DeriveSeed(5)));
  START_OR_SKIP(c);
  for (const char* k : {"b", "a", "d", "c"}) ASSERT_TRUE(c.MustPut(k, std::string("v") + k));
  std::vector<std::string> values;
  ASSERT_TRUE(c.Scan("b", "d", &values));
  EXPECT_EQ(values, (std::vector<std::string>{"vb", "vc"}));
  ASSERT_TRUE(c.Scan("", "", &values));
  EXPECT_EQ(values.size(), 4u);
}

TEST(RaftstoreFramework, RaftStorageWritesAndReadsThroughRaft) {
  t::Cluster c(Options(3, testutil::DeriveSeed(6)));
  START_OR_SKIP(c);
  auto leader = c.LeaderOfRegion(1);
  ASSERT_TRUE(leader.has_value());
  runtime::SimRuntime& rt = c.rt();
  auto waiter = [&rt](const std::function<bool()>& done, runtime::Micros timeout) {
    return rt.RunUntil(done, rt.Now() + timeout);
  };
  const uint64_t store = leader->store_id();
  RaftStorage storage([&c, store] { return c.GetRouter(store); }, waiter);
  ASSERT_TRUE(storage.Start().ok());
  kvrpcpb::Context ctx;
  ctx.set_region_id(1);
  *ctx.mutable_peer() = *leader;
  *ctx.mutable_region_epoch() = c.region().region_epoch();

  kv::Status s = storage.Write(
      ctx, {kv::Modify::Put(kv::kCfDefault, "a", "1"), kv::Modify::Put(kv::kCfDefault, "b", "2"),
            kv::Modify::Delete(kv::kCfDefault, "a")});
  ASSERT_TRUE(s.ok()) << s.ToString();
  auto reader = storage.Reader(ctx);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto b = reader.value()->GetCF(kv::kCfDefault, "b");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b.value(), std::optional<std::string>("2"));
  auto a = reader.value()->GetCF(kv::kCfDefault, "a");
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a.value().has_value());
  auto it = reader.value()->IterCF(kv::kCfDefault);
  ASSERT_TRUE(it.ok());
  std::vector<std::string> keys;
  for (it.value()->SeekToFirst(); it.value()->Valid(); it.value()->Next()) {
    keys.emplace_back(it.value()->key());
  }
  EXPECT_EQ(keys, std::vector<std::string>{"b"});
  it.value().reset();
  reader.value().reset();

  // A follower refuses, naming the leader.
  const uint64_t other = store == 1 ? 2 : 1;
  RaftStorage at_follower([&c, other] { return c.GetRouter(other); }, waiter);
  ASSERT_TRUE(at_follower.Start().ok());
  kvrpcpb::Context fctx = ctx;
  fctx.mutable_peer()->set_id(100 + other);
  fctx.mutable_peer()->set_store_id(other);
  s = at_follower.Write(fctx, {kv::Modify::Put(kv::kCfDefault, "c", "3")});
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(RaftStorage::RegionErrorOf().kind(), RegionErrorKind::kNotLeader) << s.ToString();
}

}  // namespace
}  // namespace raftstore
