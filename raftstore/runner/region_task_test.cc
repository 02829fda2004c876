// The region worker: a snapshot generated on one store and applied on another makes the
// region's data identical there (stale keys gone, keys outside the region untouched); the
// snapshot is one consistent point even while writes go on; a damaged snapshot changes
// nothing and says why; the fault hooks fail or delay generation from the seed.

#include "raftstore/runner/region_task.h"

#include <gtest/gtest.h>
#include <rocksdb/env.h>

#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "kv/engine_util/cf.h"
#include "kv/engine_util/cf_iterator.h"
#include "kv/engine_util/engines.h"
#include "kv/engine_util/write_batch.h"
#include "proto/eraftpb.pb.h"
#include "proto/metapb.pb.h"
#include "proto/raft_serverpb.pb.h"
#include "raftstore/meta/keys.h"
#include "raftstore/runtime/sim_runtime.h"
#include "raftstore/snap/snap_key.h"
#include "raftstore/snap/snap_manager.h"
#include "testutil/seed.h"

namespace raftstore::runner {
namespace {

using Contents = std::map<std::string, std::string>;  // "cf/key" -> value
using GenResult = kv::Result<eraftpb::Snapshot>;

constexpr uint64_t kRegionId = 2;
constexpr runtime::Micros kDeadline = 10'000'000;

metapb::Region TestRegion(const std::string& start = "f", const std::string& end = "p") {
  metapb::Region r;
  r.set_id(kRegionId);
  r.set_start_key(start);
  r.set_end_key(end);
  r.mutable_region_epoch()->set_conf_ver(3);
  r.mutable_region_epoch()->set_version(2);
  for (uint64_t i = 0; i < 3; i++) {
    metapb::Peer* p = r.add_peers();
    p->set_id(3 + i);
    p->set_store_id(1 + i);
  }
  return r;
}

// One store: engines and a snapshot directory on an in-memory file system, and its region
// worker on the shared simulated runtime.
struct Store {
  Store(uint64_t id, runtime::Runtime* rt, RegionTaskOptions options = {}) : id(id) {
    const std::string dir = "/store" + std::to_string(id);
    auto e = kv::Engines::Open(dir, env);
    EXPECT_TRUE(e.ok()) << e.status();
    if (e.ok()) engines = std::move(*e);
    mgr = std::make_unique<snap::SnapManager>(env, dir + "/snap");
    worker = std::make_unique<RegionTaskHandler>(&engines, mgr.get(), rt, id, options);
  }
  ~Store() {
    worker.reset();
    EXPECT_TRUE(engines.Close().ok());
  }

  void Put(const std::string& cf, const std::string& key, const std::string& value) {
    ASSERT_TRUE(engines.kv->PutCF(cf, key, value).ok());
  }

  // Every key of every data column family within [start, end) ("" end: no end).
  Contents Read(const std::string& start = "", const std::string& end = "") const {
    Contents out;
    for (const std::string& cf : kv::DataCfs()) {
      auto it = engines.kv->NewIterator(cf);
      EXPECT_TRUE(it.ok());
      for ((*it)->Seek(start); (*it)->Valid(); (*it)->Next()) {
        std::string key((*it)->key());
        if (!end.empty() && key >= end) break;
        out[cf + "/" + key] = std::string((*it)->value());
      }
    }
    return out;
  }

  // Every meta value of the kv engine (apply and region states).
  Contents ReadMeta() const {
    Contents out;
    auto it = engines.kv->NewIterator(kv::kCfRaft);
    EXPECT_TRUE(it.ok());
    for ((*it)->SeekToFirst(); (*it)->Valid(); (*it)->Next()) {
      out[std::string((*it)->key())] = std::string((*it)->value());
    }
    return out;
  }

  // The region's RegionLocalState and RaftApplyState (applied index `applied`, log truncated
  // at truncated_index/truncated_term) and its raft log after the truncated index, every
  // entry of term `log_term`.
  void SetRegionState(const metapb::Region& region, uint64_t applied, uint64_t truncated_index,
                      uint64_t truncated_term, uint64_t log_term) {
    raft_serverpb::RegionLocalState rs;
    *rs.mutable_region() = region;
    ASSERT_TRUE(engines.kv->PutMeta(meta::RegionStateKey(region.id()), rs).ok());
    SetApplied(applied, truncated_index, truncated_term);
    for (uint64_t i = truncated_index + 1; i <= applied; i++) PutEntry(i, log_term);
  }

  void SetApplied(uint64_t applied, uint64_t truncated_index, uint64_t truncated_term,
                  kv::WriteBatch* wb = nullptr) {
    raft_serverpb::RaftApplyState as;
    as.set_applied_index(applied);
    as.mutable_truncated_state()->set_index(truncated_index);
    as.mutable_truncated_state()->set_term(truncated_term);
    if (wb != nullptr) {
      wb->SetMeta(meta::ApplyStateKey(kRegionId), as);
    } else {
      ASSERT_TRUE(engines.kv->PutMeta(meta::ApplyStateKey(kRegionId), as).ok());
    }
  }

  void PutEntry(uint64_t index, uint64_t term) {
    eraftpb::Entry e;
    e.set_index(index);
    e.set_term(term);
    ASSERT_TRUE(engines.raft->PutMeta(meta::RaftLogKey(kRegionId, index), e).ok());
  }

  std::vector<std::string> SnapFiles() const {
    std::vector<std::string> files, out;
    if (!env->GetChildren(mgr->dir(), &files).ok()) return out;
    for (auto& f : files) {
      if (f != "." && f != "..") out.push_back(f);
    }
    return out;
  }

  uint64_t id;
  std::shared_ptr<rocksdb::Env> env = kv::NewInMemoryEnv();
  kv::Engines engines;
  std::unique_ptr<snap::SnapManager> mgr;
  std::unique_ptr<RegionTaskHandler> worker;
};

// Seeded keys a.. through z.. in every data cf, values of random length.
void FillRandom(Store& store, uint64_t seed, const std::string& tag) {
  std::mt19937_64 rng(seed);
  for (const std::string& cf : kv::DataCfs()) {
    for (char c = 'a'; c <= 'z'; ++c) {
      for (int i = 0; i < 15; ++i) {
        std::string key = std::string(1, c) + std::to_string(rng() % 1000);
        store.Put(cf, key, tag + std::string(rng() % 200, static_cast<char>('A' + rng() % 26)));
      }
    }
  }
}

// Runs a RegionTaskGen through the store's region queue and returns what its notifier got.
GenResult Generate(runtime::SimRuntime& rt, Store& store, uint64_t region_id = kRegionId) {
  std::optional<GenResult> got;
  store.worker->Schedule(RegionTaskGen{region_id, [&](GenResult r) { got = std::move(r); }});
  if (!rt.RunUntil([&] { return got.has_value(); }, rt.Now() + kDeadline)) {
    return kv::Status::Internal("the RegionTaskGen notifier was never called");
  }
  return std::move(*got);
}

raft_serverpb::RaftSnapshotData ParseData(const eraftpb::Snapshot& s) {
  raft_serverpb::RaftSnapshotData data;
  EXPECT_TRUE(data.ParseFromString(s.data())) << "Snapshot.data must be a RaftSnapshotData";
  return data;
}

snap::SnapKey KeyOf(const eraftpb::Snapshot& s) {
  return {kRegionId, s.metadata().term(), s.metadata().index()};
}

// Moves the snapshot's files from one store's SnapManager to the other's, chunk by chunk.
kv::Status Transfer(Store& from, Store& to, const eraftpb::Snapshot& s) {
  const auto data = ParseData(s);
  auto chunks = from.mgr->ReadChunks(KeyOf(s), data, 4096);
  if (!chunks.ok()) return chunks.status();
  for (const auto& c : *chunks) KV_RETURN_IF_ERROR(to.mgr->ReceiveChunk(c, data));
  return to.mgr->FinishReceive(KeyOf(s), data);
}

// The RegionTaskApply PeerStorage::ApplySnapshot sends for `s`.
RegionTaskApply ApplyTaskFor(const eraftpb::Snapshot& s, ApplyNotifier notifier) {
  RegionTaskApply t;
  t.region_id = kRegionId;
  t.snap_meta = s.metadata();
  t.snap_data = ParseData(s);
  t.start_key = t.snap_data.region().start_key();
  t.end_key = t.snap_data.region().end_key();
  t.notifier = std::move(notifier);
  return t;
}

// Applies the task the way PeerStorage::ApplySnapshot does: from a task on the store's raft
// queue, sending it to the region worker and waiting for it (RunAndWait).
kv::Status ApplyFromRaftWorker(runtime::SimRuntime& rt, Store& store, RegionTaskApply task) {
  std::optional<kv::Status> result;
  rt.Post({store.id, "raft"}, "apply snapshot", [&] {
    kv::Status notified = kv::Status::Internal("the RegionTaskApply notifier was never called");
    task.notifier = [&](kv::Status s) { notified = std::move(s); };
    store.worker->RunAndWait(std::move(task));
    result = notified;  // RunAndWait returns once the worker has run the task.
  });
  if (!rt.RunUntil([&] { return result.has_value(); }, rt.Now() + kDeadline)) {
    return kv::Status::Internal("the raft-queue task that applies the snapshot never ran");
  }
  return *result;
}

TEST(Raftstore2C, RegionWorkerGenerateThenApplyCopiesTheRegion) {
  runtime::SimRuntime rt(testutil::TestSeed());
  Store leader(1, &rt), follower(2, &rt);
  FillRandom(leader, testutil::DeriveSeed(1), "new");
  FillRandom(follower, testutil::DeriveSeed(2), "stale");
  const metapb::Region region = TestRegion("f", "p");
  leader.SetRegionState(region, /*applied=*/40, /*truncated=*/30, /*truncated_term=*/6,
                        /*log_term=*/7);
  leader.PutEntry(40, 8);

  GenResult snap = Generate(rt, leader);
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_EQ(snap->metadata().index(), 40u) << "a snapshot is taken at the applied index";
  EXPECT_EQ(snap->metadata().term(), 8u) << "with the term of the applied entry (raft engine)";
  ASSERT_EQ(snap->metadata().conf_state().nodes_size(), 3);
  EXPECT_EQ(snap->metadata().conf_state().nodes(0), 3u) << "conf state = the region's peer ids";
  EXPECT_EQ(snap->metadata().conf_state().nodes(2), 5u);
  const auto data = ParseData(*snap);
  EXPECT_EQ(data.region().SerializeAsString(), region.SerializeAsString())
      << "RaftSnapshotData.region is the region as the kv engine stores it";
  EXPECT_EQ(leader.worker->snapshots_generated(), 1u);

  const Contents follower_before = follower.Read("", "f");
  const Contents follower_after = follower.Read("p", "");
  const Contents follower_meta = follower.ReadMeta();
  ASSERT_TRUE(Transfer(leader, follower, *snap).ok());
  kv::Status s = ApplyFromRaftWorker(rt, follower, ApplyTaskFor(*snap, nullptr));
  ASSERT_TRUE(s.ok()) << s;

  EXPECT_EQ(follower.Read("f", "p"), leader.Read("f", "p"))
      << "after the apply, the follower's keys in [f, p) must be the leader's, no stale key left";
  EXPECT_EQ(follower.Read("", "f"), follower_before) << "keys before the region: untouched";
  EXPECT_EQ(follower.Read("p", ""), follower_after) << "keys after the region: untouched";
  EXPECT_EQ(follower.ReadMeta(), follower_meta)
      << "the region worker writes data only; the states are PeerStorage::ApplySnapshot's job";
  EXPECT_EQ(follower.worker->snapshots_applied(), 1u);
  EXPECT_TRUE(follower.SnapFiles().empty()) << "an applied snapshot's files are removed";
}

TEST(Raftstore2C, RegionWorkerSnapshotAtTheTruncatedIndexTakesItsTerm) {
  runtime::SimRuntime rt(testutil::TestSeed());
  Store leader(1, &rt);
  leader.Put("default", "g", "1");
  // Everything applied is also truncated: no log entry is left to read the term from.
  leader.SetRegionState(TestRegion(), 25, 25, 9, 9);
  GenResult snap = Generate(rt, leader);
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_EQ(snap->metadata().index(), 25u);
  EXPECT_EQ(snap->metadata().term(), 9u) << "the term comes from truncated_state";
}

TEST(Raftstore2C, RegionWorkerGenerationErrorsReachTheNotifier) {
  runtime::SimRuntime rt(testutil::TestSeed());
  Store leader(1, &rt);
  GenResult none = Generate(rt, leader, 9);
  ASSERT_FALSE(none.ok()) << "a region without state cannot be snapshotted";
  EXPECT_NE(none.status().message().find("no RaftApplyState"), std::string::npos) << none.status();

  // An applied entry that is not in the raft engine (and not the truncated one).
  leader.SetRegionState(TestRegion(), 12, 10, 6, 7);
  ASSERT_TRUE(leader.engines.raft->DeleteCF(kv::kCfRaft, meta::RaftLogKey(kRegionId, 12)).ok());
  GenResult missing = Generate(rt, leader);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("applied entry 12"), std::string::npos)
      << missing.status();
  EXPECT_EQ(leader.worker->generations_failed(), 2u);
}

// Writes go on (the raft worker applying entries 11..40, one every 100 µs) while a snapshot
// is asked for at a seeded instant and, in some runs, delivered late. Whatever the
// interleaving, the snapshot is the region exactly as it was when the worker ran the task:
// its index is the applied index of that instant and its data that instant's data.
TEST(Raftstore2C, RegionWorkerGenerationReadsOneConsistentPoint) {
  for (uint64_t run = 0; run < 12; run++) {
    const uint64_t seed = testutil::DeriveSeed(100 + run);
    SCOPED_TRACE("run " + std::to_string(run) + " (seed " + std::to_string(seed) + ")");
    runtime::SimRuntime rt(seed);
    RegionTaskOptions options;
    // Every other run delivers late, so writes always happen between the snapshot's point
    // and its delivery there.
    const bool delayed = run % 2 == 0;
    options.faults.gen_delay_percent = delayed ? 100 : 0;
    options.faults.gen_delay_min = 100;
    options.faults.gen_delay_max = 2000;
    Store leader(1, &rt, options), follower(2, &rt);
    FillRandom(leader, seed, "base");
    leader.SetRegionState(TestRegion(), 10, 10, 6, 6);

    uint64_t applied = 10;
    for (uint64_t i = 11; i <= 40; i++) {
      rt.StartTimer({1, "raft"}, (i - 10) * 100, "apply " + std::to_string(i), [&, i] {
        leader.PutEntry(i, 7);
        kv::WriteBatch wb;
        char key[16];
        std::snprintf(key, sizeof key, "k%04llu", static_cast<unsigned long long>(i));
        wb.SetCF("default", key, "v" + std::to_string(i));
        wb.SetCF("write", "h", "overwritten at " + std::to_string(i));
        leader.SetApplied(i, 10, 6, &wb);
        ASSERT_TRUE(leader.engines.kv->Write(wb, false).ok());
        applied = i;
      });
    }
    std::mt19937_64 choose(seed);
    // Between the first and the last write, so the snapshot falls in the middle of them.
    const runtime::Micros ask_at = 150 + choose() % 2800;
    uint64_t applied_at_gen = 0;
    Contents data_at_gen;
    runtime::Micros gen_at = 0, delivered_at = 0;
    uint64_t applied_at_delivery = 0;
    std::optional<GenResult> got;
    rt.StartTimer({1, "raft"}, ask_at, "ask for a snapshot", [&] {
      // Queued on the region worker like Schedule does, noting the state the moment it runs.
      rt.Post(leader.worker->queue(), "region gen", [&] {
        applied_at_gen = applied;
        data_at_gen = leader.Read("f", "p");
        gen_at = rt.Now();
        leader.worker->Handle(RegionTaskGen{kRegionId, [&](GenResult r) {
                                              delivered_at = rt.Now();
                                              applied_at_delivery = applied;
                                              got = std::move(r);
                                            }});
      });
    });
    while (rt.Step()) {
    }
    ASSERT_TRUE(got.has_value()) << "the notifier was never called";
    ASSERT_TRUE(got->ok()) << got->status();
    EXPECT_GE(delivered_at, gen_at);
    EXPECT_EQ((*got)->metadata().index(), applied_at_gen)
        << "the snapshot's index must be the applied index when the task ran (at " << gen_at
        << " µs, delivered at " << delivered_at << " µs)";
    EXPECT_EQ((*got)->metadata().term(), 7u);
    if (delayed) {
      EXPECT_GT(applied_at_delivery, applied_at_gen)
          << "the test meant the log to move on while the delivery was delayed";
    }
    ASSERT_TRUE(Transfer(leader, follower, **got).ok());
    kv::Status s = ApplyFromRaftWorker(rt, follower, ApplyTaskFor(**got, nullptr));
    ASSERT_TRUE(s.ok()) << s;
    EXPECT_EQ(follower.Read("f", "p"), data_at_gen)
        << "the snapshot's data must be the region's data at index " << applied_at_gen
        << ", not a later one";
  }
}

TEST(Raftstore2C, RegionWorkerRefusesCorruptSnapshotAndChangesNothing) {
  runtime::SimRuntime rt(testutil::TestSeed());
  Store leader(1, &rt), follower(2, &rt);
  FillRandom(leader, testutil::DeriveSeed(3), "new");
  FillRandom(follower, testutil::DeriveSeed(4), "stale");
  leader.SetRegionState(TestRegion(), 20, 15, 6, 7);
  GenResult snap = Generate(rt, leader);
  ASSERT_TRUE(snap.ok()) << snap.status();
  ASSERT_TRUE(Transfer(leader, follower, *snap).ok());

  // Flip one byte in the middle of the received default-cf file.
  const std::string path = follower.mgr->CfFilePath(KeyOf(*snap), "default");
  std::string bytes;
  ASSERT_TRUE(rocksdb::ReadFileToString(follower.env.get(), path, &bytes).ok());
  ASSERT_GT(bytes.size(), 100u);
  bytes[bytes.size() / 2] ^= 0x20;
  ASSERT_TRUE(rocksdb::WriteStringToFile(follower.env.get(), bytes, path).ok());

  const Contents before = follower.Read();
  kv::Status s = ApplyFromRaftWorker(rt, follower, ApplyTaskFor(*snap, nullptr));
  ASSERT_TRUE(s.IsCorruption()) << "applying a damaged snapshot must fail with kCorruption; got "
                                << s;
  EXPECT_NE(s.message().find("checksum"), std::string::npos) << s;
  EXPECT_NE(s.message().find("region 2"), std::string::npos) << s;
  EXPECT_EQ(follower.Read(), before) << "a damaged snapshot must not change any key";
  EXPECT_EQ(follower.worker->applies_failed(), 1u);
  EXPECT_EQ(follower.worker->snapshots_applied(), 0u);
}

TEST(Raftstore2C, RegionWorkerRefusesAnApplyTaskThatDoesNotDescribeItsSnapshot) {
  runtime::SimRuntime rt(testutil::TestSeed());
  Store leader(1, &rt), follower(2, &rt);
  FillRandom(leader, testutil::DeriveSeed(5), "new");
  FillRandom(follower, testutil::DeriveSeed(6), "stale");
  leader.SetRegionState(TestRegion(), 20, 15, 6, 7);
  GenResult snap = Generate(rt, leader);
  ASSERT_TRUE(snap.ok()) << snap.status();
  ASSERT_TRUE(Transfer(leader, follower, *snap).ok());
  const Contents before = follower.Read();

  RegionTaskApply no_data = ApplyTaskFor(*snap, nullptr);
  no_data.snap_data.Clear();
  kv::Status s = ApplyFromRaftWorker(rt, follower, no_data);
  EXPECT_TRUE(s.IsInvalidArgument()) << s;
  EXPECT_NE(s.message().find("snap_data"), std::string::npos) << s;

  RegionTaskApply wrong_range = ApplyTaskFor(*snap, nullptr);
  wrong_range.end_key = "";
  s = ApplyFromRaftWorker(rt, follower, wrong_range);
  EXPECT_TRUE(s.IsInvalidArgument()) << s;
  EXPECT_EQ(follower.Read(), before) << "a refused task must not change any key";

  // The same snapshot, described properly, still applies.
  s = ApplyFromRaftWorker(rt, follower, ApplyTaskFor(*snap, nullptr));
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(follower.Read("f", "p"), leader.Read("f", "p"));
}

TEST(Raftstore2C, RegionWorkerInjectedGenerationFailure) {
  runtime::SimRuntime rt(testutil::TestSeed());
  RegionTaskOptions options;
  options.faults.gen_fail_percent = 100;
  Store leader(1, &rt, options);
  leader.Put("default", "g", "1");
  leader.SetRegionState(TestRegion(), 12, 10, 6, 7);

  GenResult failed = Generate(rt, leader);
  ASSERT_FALSE(failed.ok()) << "gen_fail_percent = 100 must fail every generation";
  EXPECT_TRUE(failed.status().IsIOError()) << failed.status();
  EXPECT_NE(failed.status().message().find("injected"), std::string::npos) << failed.status();
  EXPECT_TRUE(leader.SnapFiles().empty()) << "a failed generation leaves no file";
  EXPECT_EQ(leader.worker->generations_failed(), 1u);

  leader.worker->set_faults({});
  ASSERT_TRUE(Generate(rt, leader).ok()) << "without faults the same task succeeds";
}

// Which generations fail is drawn from the runtime's seed: the same seed, the same pattern.
TEST(Raftstore2C, RegionWorkerInjectedFailuresFollowTheSeed) {
  auto pattern = [](uint64_t seed) {
    runtime::SimRuntime rt(seed);
    RegionTaskOptions options;
    options.faults.gen_fail_percent = 50;
    Store leader(1, &rt, options);
    leader.SetRegionState(TestRegion(), 12, 10, 6, 7);
    std::string out;
    for (int i = 0; i < 40; i++) out += Generate(rt, leader).ok() ? '.' : 'x';
    return out;
  };
  const uint64_t seed = testutil::TestSeed();
  const std::string first = pattern(seed);
  EXPECT_EQ(pattern(seed), first) << "the same seed must fail the same generations";
  EXPECT_NE(first.find('x'), std::string::npos) << first;
  EXPECT_NE(first.find('.'), std::string::npos) << first;
}

TEST(Raftstore2C, RegionWorkerDelayedGenerationArrivesLate) {
  runtime::SimRuntime rt(testutil::TestSeed());
  RegionTaskOptions options;
  options.faults.gen_delay_percent = 100;
  options.faults.gen_delay_min = 5000;
  options.faults.gen_delay_max = 5000;
  Store leader(1, &rt, options);
  leader.Put("default", "g", "before");
  leader.SetRegionState(TestRegion(), 12, 10, 6, 7);

  std::optional<GenResult> got;
  runtime::Micros delivered_at = 0;
  leader.worker->Schedule(RegionTaskGen{kRegionId, [&](GenResult r) {
                                          delivered_at = rt.Now();
                                          got = std::move(r);
                                        }});
  rt.RunFor(4999);
  EXPECT_FALSE(got.has_value()) << "delivered at " << delivered_at << " µs, before the delay";
  EXPECT_EQ(leader.worker->snapshots_generated(), 1u) << "the snapshot itself is taken at once";
  leader.Put("default", "g", "after");  // too late for the snapshot taken at time 0
  rt.RunFor(1);
  ASSERT_TRUE(got.has_value()) << "not delivered once the 5000 µs delay passed";
  ASSERT_TRUE(got->ok()) << got->status();
  EXPECT_EQ(delivered_at, 5000u);
  EXPECT_EQ(leader.worker->generations_delayed(), 1u);

  Store follower(2, &rt);
  ASSERT_TRUE(Transfer(leader, follower, **got).ok());
  ASSERT_TRUE(ApplyFromRaftWorker(rt, follower, ApplyTaskFor(**got, nullptr)).ok());
  EXPECT_EQ(follower.Read(), (Contents{{"default/g", "before"}}));
}

TEST(Raftstore2C, RegionWorkerDestroyDeletesOnlyTheRegionsData) {
  runtime::SimRuntime rt(testutil::TestSeed());
  Store store(1, &rt);
  FillRandom(store, testutil::DeriveSeed(7), "v");
  store.SetRegionState(TestRegion(), 12, 10, 6, 7);
  const Contents before_region = store.Read("", "f");
  const Contents after_region = store.Read("p", "");
  const Contents meta = store.ReadMeta();
  ASSERT_FALSE(store.Read("f", "p").empty());

  store.worker->Schedule(RegionTaskDestroy{kRegionId, "f", "p"});
  while (rt.Step()) {
  }
  EXPECT_EQ(store.worker->ranges_destroyed(), 1u);
  EXPECT_TRUE(store.Read("f", "p").empty()) << "every data cf's keys in [f, p) must be gone";
  EXPECT_EQ(store.Read("", "f"), before_region);
  EXPECT_EQ(store.Read("p", ""), after_region);
  EXPECT_EQ(store.ReadMeta(), meta) << "meta keys are not the region's data";
}

}  // namespace
}  // namespace raftstore::runner
