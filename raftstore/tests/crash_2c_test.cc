// Lab 2C: a store that crashes in the middle of applying a snapshot must restart into a
// consistent state. A follower is cut off while the others compact their logs, so that only a
// snapshot can bring it back; when it applies that snapshot, it crashes — at every engine write
// of the Ready that applies it, before and after each: before or after the region worker
// replaces the region's data, before or after the kv batch (apply state, region state), before
// or after the raft batch (raft state). Each crash point is its own run of the same seed.
// After a restart from what its engines hold, the store must catch up and end up with exactly
// the leader's data: had the apply state said "applied up to the snapshot" before the
// snapshot's data was there, the restarted store would apply the later entries on top of its
// old data and keep the difference forever. See docs/lab2c.md, "Crashing while applying a
// snapshot".

#include <gtest/gtest.h>

#include <cstdio>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "kv/engine_util/cf.h"
#include "kv/engine_util/cf_iterator.h"
#include "raftstore/meta/values.h"
#include "raftstore/testing/cluster.h"
#include "testutil/seed.h"

namespace raftstore::testing {
namespace {

constexpr uint64_t kGcLimit = 10;
constexpr int kWrites = 30;

std::string Key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "a%02d", i);
  return buf;
}

// Records every engine write of one store (and crashes it at the `crash_at`th one, if set).
class WriteRecorder : public CrashTrigger {
 public:
  WriteRecorder(uint64_t store_id, std::optional<size_t> crash_at)
      : store_id_(store_id), crash_at_(crash_at) {}
  bool ShouldCrash(const CrashEvent& e) override {
    if (e.store_id != store_id_ || e.kind != CrashEvent::Kind::kWrite) return false;
    events.push_back(e.Describe());
    raft_done.push_back(e.engine == kv::Engine::Kind::kRaft && e.done);
    snapshot_data.push_back(e.what == "apply snapshot data" && !e.done);
    return crash_at_ && events.size() - 1 == *crash_at_;
  }
  void AfterCrash(uint64_t) override { crashed = true; }

  std::vector<std::string> events;
  std::vector<bool> raft_done;
  std::vector<bool> snapshot_data;
  bool crashed = false;

 private:
  uint64_t store_id_;
  std::optional<size_t> crash_at_;
};

// The keys of every data column family of a store's kv engine, "cf/key=value".
std::vector<std::string> Dump(Cluster& c, uint64_t store_id) {
  std::vector<std::string> out;
  for (const std::string& cf : kv::DataCfs()) {
    auto it = c.engines(store_id).kv->NewIterator(cf);
    if (!it.ok()) return {"error: " + it.status().ToString()};
    for (it.value()->Seek(""); it.value()->Valid(); it.value()->Next()) {
      out.push_back(cf + "/" + std::string(it.value()->key()) + "=" +
                    std::string(it.value()->value()));
    }
  }
  return out;
}

class CrashWhileApplyingSnapshot {
 public:
  explicit CrashWhileApplyingSnapshot(uint64_t seed) : seed_(seed) {}

  // Runs up to the moment the lagging follower can only catch up by snapshot, with `trigger`
  // (made for that follower) installed as the network heals.
  ::testing::AssertionResult Prepare(Cluster& cluster,
                                     const std::function<CrashTrigger*(uint64_t)>& trigger) {
    if (auto r = cluster.Start(); !r) return r;
    if (auto r = cluster.WaitLeader(); !r) return r;
    for (int i = 0; i < 3; ++i) {
      if (auto r = cluster.MustPut("k" + std::to_string(i), "v" + std::to_string(i)); !r) return r;
    }
    const uint64_t leader = cluster.LeaderOfRegion(1)->store_id();
    follower_ = leader == 3 ? 2 : 3;
    cluster.AddFilter(std::make_unique<IsolateFilter>(follower_));
    for (int i = 0; i < kWrites; ++i) {
      if (auto r = cluster.MustPut(Key(i), "v" + std::to_string(i)); !r) return r;
    }
    if (auto r = cluster.MustDelete("k1"); !r) return r;
    cluster.rt().RunFor(500'000);
    Peer* lagging = cluster.GetPeer(follower_, 1);
    Peer* lead = cluster.GetPeer(leader, 1);
    if (lagging == nullptr || lead == nullptr ||
        lead->peer_storage->TruncatedIndex() <= lagging->peer_storage->AppliedIndex()) {
      return ::testing::AssertionFailure()
             << "the leader did not compact its log past the cut-off follower's applied index "
                "(is CompactLog applied?): no snapshot will be needed. Peers: "
             << cluster.DescribePeers() << cluster.SeedNote();
    }
    cluster.SetCrashTrigger(trigger(follower_));
    cluster.ClearFilters();
    return ::testing::AssertionSuccess();
  }

  // What the restarted follower must hold, and hold exactly as the leader does.
  ::testing::AssertionResult CheckCaughtUp(Cluster& cluster, const std::string& context) {
    if (auto r = cluster.MustPut("after", "crash"); !r) return r << context;
    auto check = [&](const std::string& key, const std::string& value) {
      return value.empty() ? cluster.MustGetNoneOnStore(follower_, key)
                           : cluster.MustGetEqualOnStore(follower_, key, value);
    };
    for (int i = 0; i < 3; ++i) {
      if (auto r = check("k" + std::to_string(i), i == 1 ? "" : "v" + std::to_string(i)); !r)
        return r << context;
    }
    for (int i = 0; i < kWrites; ++i) {
      if (auto r = check(Key(i), "v" + std::to_string(i)); !r) return r << context;
    }
    if (auto r = check("after", "crash"); !r) return r << context;
    cluster.rt().RunFor(1'000'000);
    auto leader = cluster.LeaderOfRegion(1);
    if (!leader) return ::testing::AssertionFailure() << "no leader" << context;
    const std::vector<std::string> want = Dump(cluster, leader->store_id());
    const std::vector<std::string> got = Dump(cluster, follower_);
    if (want != got) {
      auto f = ::testing::AssertionFailure();
      f << "store " << follower_ << "'s data differs from the leader's (store "
        << leader->store_id() << ") once both have applied the same log:";
      std::set<std::string> a(want.begin(), want.end()), b(got.begin(), got.end());
      int shown = 0;
      for (const auto& kv : a) {
        if (!b.count(kv) && shown++ < 5) f << "\n  missing " << kv;
      }
      for (const auto& kv : b) {
        if (!a.count(kv) && shown++ < 10) f << "\n  extra   " << kv;
      }
      return f << "\n" << context << cluster.SeedNote();
    }
    return ::testing::AssertionSuccess();
  }

  uint64_t follower() const { return follower_; }
  uint64_t seed() const { return seed_; }

 private:
  uint64_t seed_;
  uint64_t follower_ = 0;
};

ClusterOptions Options(uint64_t seed) {
  ClusterOptions o;
  o.stores = 3;
  o.cfg = Config::ForTests2C(kGcLimit);
  o.seed = seed;
  return o;
}

TEST(Raftstore2C, CrashWhileApplyingSnapshot) {
  const uint64_t seed = testutil::DeriveSeed(41);
  // A first run, without crashing, finds the follower's writes around the snapshot's apply.
  size_t first = 0, last = 0;
  std::vector<std::string> events;
  {
    CrashWhileApplyingSnapshot s(seed);
    Cluster cluster(Options(seed));
    std::optional<WriteRecorder> rec;
    ASSERT_TRUE(s.Prepare(cluster, [&](uint64_t f) { return &rec.emplace(f, std::nullopt); }));
    ASSERT_TRUE(cluster.MustGetEqualOnStore(s.follower(), Key(kWrites - 1),
                                            "v" + std::to_string(kWrites - 1)));
    cluster.rt().RunFor(200'000);
    cluster.SetCrashTrigger(nullptr);
    size_t apply = 0;
    while (apply < rec->snapshot_data.size() && !rec->snapshot_data[apply]) ++apply;
    ASSERT_LT(apply, rec->events.size())
        << "store " << s.follower()
        << " caught up without applying a snapshot through the region worker (RegionTaskApply): "
           "after the leader compacted its log, only a snapshot can bring it back"
        << cluster.SeedNote();
    // From after the Ready before it to the raft batch of the Ready that applies it.
    first = apply;
    while (first > 0 && !rec->raft_done[first - 1]) --first;
    last = apply;
    while (last + 1 < rec->events.size() && !rec->raft_done[last]) ++last;
    events = rec->events;
    ASSERT_TRUE(s.CheckCaughtUp(cluster, " (without a crash)"));
  }

  // Then one run per crash point.
  for (size_t at = first; at <= last; ++at) {
    SCOPED_TRACE("crash point " + std::to_string(at - first + 1) + " of " +
                 std::to_string(last - first + 1) + ": " + events[at]);
    std::printf("[ CRASH    ] point %zu of %zu: %s\n", at - first + 1, last - first + 1,
                events[at].c_str());
    CrashWhileApplyingSnapshot s(seed);
    Cluster cluster(Options(seed));
    std::optional<WriteRecorder> rec;
    ASSERT_TRUE(s.Prepare(cluster, [&](uint64_t f) { return &rec.emplace(f, at); }));
    ASSERT_TRUE(
        cluster.rt().RunUntil([&] { return rec->crashed; }, cluster.rt().Now() + 10'000'000))
        << "the run did not reach crash point " << events[at] << cluster.SeedNote();
    cluster.SetCrashTrigger(nullptr);
    const std::string context = "; store " + std::to_string(s.follower()) + " crashed " +
                                events[at] +
                                " and restarted (it must end up with exactly the leader's data)";
    cluster.rt().RunFor(300'000);
    ASSERT_TRUE(cluster.StartServer(s.follower()))
        << "store " << s.follower() << " could not restart after it crashed " << events[at];
    // What it persisted must hang together: the log goes at least up to what was applied.
    auto apply = meta::GetApplyState(*cluster.engines(s.follower()).kv, 1);
    auto raft = meta::GetRaftLocalState(*cluster.engines(s.follower()).raft, 1);
    ASSERT_TRUE(apply.ok() && apply.value().has_value() && raft.ok() && raft.value().has_value());
    Peer* p = cluster.GetPeer(s.follower(), 1);
    ASSERT_NE(p, nullptr);
    EXPECT_GE(p->raft_group->raft->raft_log.committed, p->peer_storage->AppliedIndex())
        << "after the restart, the peer's commit index is below its applied index" << context;
    ASSERT_TRUE(s.CheckCaughtUp(cluster, context));
  }
}

}  // namespace
}  // namespace raftstore::testing
