// Lab 2B: a fault-tolerant key-value store on Raft. The scenarios of TinyKV's
// test_raftstore/test_test.go (2B), run on a simulated 5-store cluster in virtual time, each
// with the client-history linearizability check. See docs/lab2b.md.

#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "kv/engine_util/cf.h"
#include "raftstore/testing/cluster.h"
#include "raftstore/testing/generic_test.h"
#include "testutil/seed.h"

namespace raftstore::testing {
namespace {

GenericTestOptions Options(int clients, bool unreliable, bool crash, bool partitions,
                           uint64_t scenario) {
  GenericTestOptions o;
  o.part = "2B";
  o.clients = clients;
  o.unreliable = unreliable;
  o.crash = crash;
  o.partitions = partitions;
  o.seed = testutil::DeriveSeed(scenario);
  return o;
}

TEST(Raftstore2B, Basic) { ASSERT_TRUE(RunGenericTest(Options(1, false, false, false, 1))); }

TEST(Raftstore2B, Concurrent) { ASSERT_TRUE(RunGenericTest(Options(5, false, false, false, 2))); }

TEST(Raftstore2B, Unreliable) { ASSERT_TRUE(RunGenericTest(Options(5, true, false, false, 3))); }

TEST(Raftstore2B, ManyPartitionsOneClient) {
  ASSERT_TRUE(RunGenericTest(Options(1, false, false, true, 4)));
}

TEST(Raftstore2B, ManyPartitionsManyClients) {
  ASSERT_TRUE(RunGenericTest(Options(5, false, false, true, 5)));
}

TEST(Raftstore2B, PersistOneClient) {
  ASSERT_TRUE(RunGenericTest(Options(1, false, true, false, 6)));
}

TEST(Raftstore2B, PersistConcurrent) {
  ASSERT_TRUE(RunGenericTest(Options(5, false, true, false, 7)));
}

TEST(Raftstore2B, PersistConcurrentUnreliable) {
  ASSERT_TRUE(RunGenericTest(Options(5, true, true, false, 8)));
}

TEST(Raftstore2B, PersistPartition) {
  ASSERT_TRUE(RunGenericTest(Options(5, false, true, true, 9)));
}

TEST(Raftstore2B, PersistPartitionUnreliable) {
  ASSERT_TRUE(RunGenericTest(Options(5, true, true, true, 10)));
}

// Hot keys: eight clients and two readers put, delete and get two shared keys back to back,
// in every column family, so that one Ready of the leader often applies a write and then a
// read of the same key. Applying a Ready's entries must be the same as applying them one by
// one: the read sees the write before it (answered from a snapshot taken before the Ready's
// writes, or from the engine while the Ready's writes wait in a batch, it does not). Every
// answer is traced to its log entry, so the history check knows the read came after the
// write. The scenario also makes sure it still produces such Readies.
TEST(Raftstore2B, HotKeys) {
  GenericTestOptions o = Options(8, false, false, false, 13);
  o.readers = 2;
  o.hot_keys = true;
  o.shared_keys = 2;
  o.iterations = 1;
  o.iteration_time = 2'000'000;
  GenericTestReport report;
  ASSERT_TRUE(RunGenericTest(o, &report));
  EXPECT_GE(report.ready_write_reads, 50u)
      << "the hot-key scenario should make the leader apply a write and then a read of the same "
         "key in one Ready many times; it did "
      << report.ready_write_reads << " times, so it no longer tests what it is for (seed " << o.seed
      << ")";
  EXPECT_GT(report.answers_in_log, report.ops() / 2)
      << "most answers should be traced to their log entries (seed " << o.seed << ")";
}

ClusterOptions SmallCluster(uint64_t scenario) {
  ClusterOptions o;
  o.stores = 5;
  o.seed = testutil::DeriveSeed(scenario);
  return o;
}

// The leader on the majority side keeps serving; when it ends up in the minority, the
// majority elects a new leader and moves on without it; when the partition heals, the old
// leader catches up.
TEST(Raftstore2B, OnePartition) {
  Cluster cluster(SmallCluster(11));
  ASSERT_TRUE(cluster.Start());
  ASSERT_TRUE(cluster.WaitLeader());
  std::optional<metapb::Peer> leader = cluster.LeaderOfRegion(cluster.region().id());
  ASSERT_TRUE(leader.has_value());

  std::vector<uint64_t> s1 = {leader->store_id()};
  std::vector<uint64_t> s2;
  for (const metapb::Peer& p : cluster.region().peers()) {
    if (p.id() == leader->id()) continue;
    (s1.size() < 3 ? s1 : s2).push_back(p.store_id());
  }
  auto partition = [&] {
    cluster.ClearFilters();
    cluster.AddFilter(std::make_unique<PartitionFilter>(std::set<uint64_t>(s1.begin(), s1.end()),
                                                        std::set<uint64_t>(s2.begin(), s2.end())));
  };

  // The leader is in the majority: the partition does not affect writes and reads, and the
  // minority sees nothing of them.
  partition();
  ASSERT_TRUE(cluster.MustPut("k1", "v1"));
  ASSERT_TRUE(cluster.MustGet("k1", "v1"));
  ASSERT_TRUE(cluster.MustGetNoneOnStore(s2[0], "k1", 0));
  ASSERT_TRUE(cluster.MustGetNoneOnStore(s2[1], "k1", 0));
  cluster.ClearFilters();

  // The old leader ends up in the minority: a new leader is elected by the majority. Only
  // s1[2] can win there (the other two lack k1, so it refuses them), and without pre-vote
  // their failed elections push the term up and restart its election timer: a correct Raft
  // may need several rounds, seconds of them, before the majority has a leader. So wait for
  // it (bounded) before the client asks, rather than spend the client's 5 s on the elections.
  s2.push_back(s1[2]);
  s1.resize(2);
  partition();
  const uint64_t old_leader_store = leader->store_id();
  ASSERT_TRUE(cluster.rt().RunUntil(
      [&] {
        std::optional<metapb::Peer> l = cluster.LeaderOfRegion(cluster.region().id());
        return l.has_value() && l->store_id() != old_leader_store;
      },
      cluster.rt().Now() + 30'000'000))
      << "stores " << s2[0] << ", " << s2[1] << " and " << s2[2]
      << " (a majority) elected no leader within 30 simulated seconds of being cut off from the "
         "old leader; peers: "
      << cluster.DescribePeers();
  ASSERT_TRUE(cluster.MustGet("k1", "v1"));
  ASSERT_TRUE(cluster.MustPut("k1", "changed"));
  ASSERT_TRUE(cluster.MustGetEqualOnStore(s1[0], "k1", "v1", 0));
  ASSERT_TRUE(cluster.MustGetEqualOnStore(s1[1], "k1", "v1", 0));
  cluster.ClearFilters();

  // Healed: the old leader catches up with everything it missed.
  ASSERT_TRUE(cluster.MustPut("k2", "v2"));
  ASSERT_TRUE(cluster.MustGetEqualOnStore(s1[0], "k2", "v2"));
  ASSERT_TRUE(cluster.MustGetEqualOnStore(s1[0], "k1", "changed"));
}

// A leader cut off from everyone may still believe it leads; a read it answers from its own
// state machine would miss what the new leader accepted since. Reads go through the log, so
// the deposed leader must never answer the old value.
TEST(Raftstore2B, DeposedLeaderServesNoStaleRead) {
  Cluster cluster(SmallCluster(12));
  ASSERT_TRUE(cluster.Start());
  ASSERT_TRUE(cluster.WaitLeader());
  ASSERT_TRUE(cluster.MustPut("k", "old"));
  std::optional<metapb::Peer> old_leader = cluster.LeaderOfRegion(cluster.region().id());
  ASSERT_TRUE(old_leader.has_value());

  cluster.AddFilter(std::make_unique<IsolateFilter>(old_leader->store_id()));
  ASSERT_TRUE(cluster.MustPut("k", "new")) << "the majority should elect a new leader";

  // Ask the isolated old leader directly, as a client that still believes in it would.
  raft_cmdpb::RaftCmdRequest cmd;
  cmd.mutable_header()->set_region_id(cluster.region().id());
  *cmd.mutable_header()->mutable_region_epoch() = cluster.region().region_epoch();
  *cmd.mutable_header()->mutable_peer() = *old_leader;
  *cmd.add_requests() = GetRequest(std::string(kv::kCfDefault), "k");
  bool answered = false;
  raft_cmdpb::RaftCmdResponse answer;
  cluster.SendCommand(old_leader->store_id(), cmd, std::nullopt, runtime::QueueId{0, "probe"},
                      [&](const raft_cmdpb::RaftCmdResponse& resp,
                          std::vector<std::pair<std::string, std::string>>) {
                        answer = resp;
                        answered = true;
                      });
  cluster.rt().RunUntil([&] { return answered; }, cluster.rt().Now() + 3'000'000);
  if (answered && !answer.header().has_error()) {
    ASSERT_EQ(answer.responses_size(), 1) << answer.ShortDebugString();
    EXPECT_NE(answer.responses(0).get().value(), "old")
        << "the isolated old leader answered a stale read: \"old\" after \"new\" was written"
        << cluster.SeedNote();
  }
  cluster.ClearFilters();
  ASSERT_TRUE(cluster.MustGet("k", "new"));
}

const std::string kCfs[] = {std::string(kv::kCfDefault), std::string(kv::kCfLock),
                            std::string(kv::kCfWrite)};

// A Get of `key` in `cf` through the cluster must answer `want` (nullopt: absent).
::testing::AssertionResult ReadBack(Cluster& cluster, const std::string& cf, const std::string& key,
                                    std::optional<std::string> want) {
  ClientRequest req;
  req.requests.push_back(GetRequest(cf, key));
  req.what = "Get(" + cf + ":\"" + key + "\")";
  ClientReply r = cluster.Request(req);
  if (!r.ok) return ::testing::AssertionFailure() << r.error << cluster.SeedNote();
  const std::string& got = r.resp.responses(0).get().value();
  if (got == want.value_or("")) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << req.what << " read " << (got.empty() ? "nothing" : "\"" + got + "\"") << ", want "
         << (want ? "\"" + *want + "\"" : "nothing")
         << ": each column family holds its own value of a key (is the cf of every Put, Delete "
            "and Get honoured?)"
         << cluster.SeedNote();
}

// A Scan of every key in `cf` through the cluster must return exactly `want`.
::testing::AssertionResult ScanBack(Cluster& cluster, const std::string& cf,
                                    const std::vector<std::pair<std::string, std::string>>& want) {
  ClientRequest req;
  req.requests.push_back(SnapRequest());
  req.scan = std::make_pair(std::string(), std::string());
  req.scan_cf = cf;
  req.what = "Scan(" + cf + ")";
  ClientReply r = cluster.Request(req);
  if (!r.ok) return ::testing::AssertionFailure() << r.error << cluster.SeedNote();
  if (r.scanned == want) return ::testing::AssertionSuccess();
  auto show = [](const std::vector<std::pair<std::string, std::string>>& kvs) {
    std::string out;
    for (const auto& [k, v] : kvs) out += " \"" + k + "\"=\"" + v + "\"";
    return out.empty() ? std::string(" (nothing)") : out;
  };
  return ::testing::AssertionFailure()
         << req.what << " read" << show(r.scanned) << "; want" << show(want) << cluster.SeedNote();
}

// Every store's kv engine ends up with `want` for `key` in `cf` (nullopt: absent).
::testing::AssertionResult OnEveryStore(Cluster& cluster, const std::string& cf,
                                        const std::string& key, std::optional<std::string> want) {
  std::string why;
  auto good = [&] {
    for (uint64_t id : cluster.StoreIds()) {
      auto v = cluster.engines(id).kv->GetCF(cf, key);
      if (!v.ok() || v.value() != want) {
        why = "store " + std::to_string(id) + "'s kv engine has " +
              (v.ok() && v.value() ? "\"" + *v.value() + "\"" : std::string("nothing")) +
              " for \"" + key + "\" in cf " + cf + ", want " +
              (want ? "\"" + *want + "\"" : std::string("nothing"));
        return false;
      }
    }
    return true;
  };
  if (cluster.rt().RunUntil(good, cluster.rt().Now() + 3'000'000)) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << why << cluster.SeedNote();
}

// Requests carry a column family and the store must honour it: the same key holds a value of
// its own in default, lock and write, through Put, Get, Delete and Scan, on every store.
TEST(Raftstore2B, ColumnFamilies) {
  Cluster cluster(SmallCluster(14));
  ASSERT_TRUE(cluster.Start());
  ASSERT_TRUE(cluster.WaitLeader());
  for (const std::string& cf : kCfs) {
    ASSERT_TRUE(cluster.MustPutCF(cf, "k", "v in " + cf));
    ASSERT_TRUE(cluster.MustPutCF(cf, "only " + cf, cf));
  }
  for (const std::string& cf : kCfs) {
    ASSERT_TRUE(ReadBack(cluster, cf, "k", "v in " + cf));
    for (const std::string& other : kCfs) {
      ASSERT_TRUE(ReadBack(cluster, cf, "only " + other,
                           cf == other ? std::optional<std::string>(cf) : std::nullopt));
    }
    ASSERT_TRUE(ScanBack(cluster, cf, {{"k", "v in " + cf}, {"only " + cf, cf}}));
  }
  // A Delete in one cf leaves the others alone.
  ASSERT_TRUE(cluster.MustDeleteCF(std::string(kv::kCfLock), "k"));
  ASSERT_TRUE(ReadBack(cluster, std::string(kv::kCfLock), "k", std::nullopt));
  ASSERT_TRUE(ReadBack(cluster, std::string(kv::kCfDefault), "k", "v in default"));
  ASSERT_TRUE(ReadBack(cluster, std::string(kv::kCfWrite), "k", "v in write"));
  // And every store applied the same, cf by cf.
  for (const std::string& cf : kCfs) {
    ASSERT_TRUE(
        OnEveryStore(cluster, cf, "k",
                     cf == kv::kCfLock ? std::nullopt : std::optional<std::string>("v in " + cf)));
    ASSERT_TRUE(OnEveryStore(cluster, cf, "only " + cf, cf));
  }
}

// Sends `cmd` (its header filled in for the current leader) to the leader and waits for the
// answer; nullopt when none came.
std::optional<raft_cmdpb::RaftCmdResponse> AskLeader(Cluster& cluster,
                                                     raft_cmdpb::RaftCmdRequest cmd) {
  std::optional<metapb::Peer> leader = cluster.LeaderOfRegion(cluster.region().id());
  if (!leader) return std::nullopt;
  cmd.mutable_header()->set_region_id(cluster.region().id());
  *cmd.mutable_header()->mutable_region_epoch() = cluster.region().region_epoch();
  *cmd.mutable_header()->mutable_peer() = *leader;
  std::optional<raft_cmdpb::RaftCmdResponse> answer;
  cluster.SendCommand(leader->store_id(), cmd, std::nullopt, runtime::QueueId{0, "probe"},
                      [&](const raft_cmdpb::RaftCmdResponse& resp,
                          std::vector<std::pair<std::string, std::string>>) { answer = resp; });
  cluster.rt().RunUntil([&] { return answer.has_value(); }, cluster.rt().Now() + 3'000'000);
  return answer;
}

// A command that passes the checks before proposing can still be one the store cannot apply
// (here: a column family the engine lacks, an unknown request type). Once committed it is in
// every replica's log for good, so applying it must not fail or crash the store, now or at any
// restart: every store applies it as a no-op, none of its requests, and its proposer gets an
// error.
TEST(Raftstore2B, CommandThatCannotBeAppliedIsRefused) {
  Cluster cluster(SmallCluster(15));
  ASSERT_TRUE(cluster.Start());
  ASSERT_TRUE(cluster.WaitLeader());
  ASSERT_TRUE(cluster.MustPut("k", "v"));

  raft_cmdpb::RaftCmdRequest unknown_cf;
  *unknown_cf.add_requests() = PutRequest(std::string(kv::kCfDefault), "k", "changed");
  *unknown_cf.add_requests() = PutRequest("no-such-cf", "k", "x");
  raft_cmdpb::RaftCmdRequest unknown_type;
  *unknown_type.add_requests() = PutRequest(std::string(kv::kCfDefault), "k", "changed too");
  unknown_type.add_requests()->set_cmd_type(raft_cmdpb::Invalid);
  for (const raft_cmdpb::RaftCmdRequest& bad : {unknown_cf, unknown_type}) {
    std::optional<raft_cmdpb::RaftCmdResponse> answer = AskLeader(cluster, bad);
    ASSERT_TRUE(answer.has_value()) << "no answer to " << bad.ShortDebugString()
                                    << ": did the store stop?" << cluster.SeedNote();
    EXPECT_TRUE(answer->header().has_error())
        << "a command with a request the store cannot apply was answered without an error: "
        << bad.ShortDebugString() << " -> " << answer->ShortDebugString() << cluster.SeedNote();
  }
  // Nothing of either command was applied, on any store, and the stores keep serving.
  ASSERT_TRUE(cluster.MustPut("k2", "v2"));
  ASSERT_TRUE(OnEveryStore(cluster, std::string(kv::kCfDefault), "k", "v"));
  // The refused commands stay in the log: every store applies them again after a restart.
  for (uint64_t id : cluster.StoreIds()) cluster.StopServer(id);
  for (uint64_t id : cluster.StoreIds()) ASSERT_TRUE(cluster.StartServer(id));
  ASSERT_TRUE(cluster.WaitLeader());
  ASSERT_TRUE(cluster.MustPut("k3", "v3"));
  ASSERT_TRUE(cluster.MustGet("k", "v"));
  ASSERT_TRUE(cluster.MustGet("k2", "v2"));
}

}  // namespace
}  // namespace raftstore::testing
