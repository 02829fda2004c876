#include "raftstore/testing/audit/replica_check.h"

#include <map>
#include <string>

#include "kv/engine_util/cf.h"
#include "kv/engine_util/cf_iterator.h"
#include "raft/raft.h"

namespace raftstore::testing::audit {

namespace {

constexpr std::string_view kUserCfs[] = {kv::kCfDefault, kv::kCfLock, kv::kCfWrite};

// The cf's keys in [start, end) ("" end = no end).
::testing::AssertionResult ReadRange(kv::Engine& engine, std::string_view cf,
                                     const std::string& start, const std::string& end,
                                     std::map<std::string, std::string>* out) {
  auto it = engine.NewIterator(cf);
  if (!it.ok()) {
    return ::testing::AssertionFailure() << "iterate cf " << cf << ": " << it.status().ToString();
  }
  for (it.value()->Seek(start); it.value()->Valid(); it.value()->Next()) {
    std::string key(it.value()->key());
    if (!end.empty() && key >= end) break;
    out->emplace(std::move(key), std::string(it.value()->value()));
  }
  return ::testing::AssertionSuccess();
}

}  // namespace

std::string DescribeBytes(const std::string& bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string hex = "0x";
  bool printable = true;
  for (unsigned char c : bytes) {
    hex += kHex[c >> 4];
    hex += kHex[c & 15];
    if (c < 0x20 || c > 0x7e) printable = false;
  }
  if (bytes.empty()) return "\"\" (empty)";
  return printable ? hex + " (\"" + bytes + "\")" : hex;
}

::testing::AssertionResult WaitQuiescent(Cluster& cluster, uint64_t region_id,
                                         runtime::Micros timeout) {
  auto quiet = [&] {
    auto leader = cluster.LeaderOfRegion(region_id);
    if (!leader) return false;
    Peer* lp = cluster.GetPeer(leader->store_id(), region_id);
    const raft::RaftLog& log = lp->raft_group->raft->raft_log;
    if (log.committed != log.LastIndex()) return false;
    for (uint64_t id : cluster.StoreIds()) {
      if (!cluster.IsRunning(id)) continue;
      Peer* p = cluster.GetPeer(id, region_id);
      if (p == nullptr || p->peer_storage->AppliedIndex() < log.committed) return false;
    }
    return true;
  };
  const runtime::Micros start = cluster.rt().Now();
  if (cluster.rt().RunUntil(quiet, start + timeout)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "replica audit: the cluster did not quiesce within " << timeout / 1'000'000
         << " simulated seconds after the clients stopped and the network healed (want: a leader"
         << " whose log is all committed, and every store applied up to its commit index);"
         << " peers: " << cluster.DescribePeers() << cluster.SeedNote();
}

::testing::AssertionResult CompareReplicas(Cluster& cluster, uint64_t region_id, size_t max_diffs) {
  auto leader = cluster.LeaderOfRegion(region_id);
  if (!leader) {
    return ::testing::AssertionFailure()
           << "replica audit: no leader to compare with; peers: " << cluster.DescribePeers()
           << cluster.SeedNote();
  }
  const uint64_t lead_store = leader->store_id();
  Peer* lp = cluster.GetPeer(lead_store, region_id);
  const std::string start = lp->Region().start_key();
  const std::string end = lp->Region().end_key();
  std::string diffs;
  size_t count = 0;
  for (std::string_view cf : kUserCfs) {
    std::map<std::string, std::string> want;
    if (auto r = ReadRange(*cluster.engines(lead_store).kv, cf, start, end, &want); !r) return r;
    for (uint64_t id : cluster.StoreIds()) {
      if (id == lead_store || !cluster.IsRunning(id)) continue;
      std::map<std::string, std::string> got;
      if (auto r = ReadRange(*cluster.engines(id).kv, cf, start, end, &got); !r) return r;
      auto note = [&](const std::string& key, const std::string* lv, const std::string* sv) {
        if (++count > max_diffs) return;
        diffs += "\n  store " + std::to_string(id) + ", cf " + std::string(cf) + ", key " +
                 DescribeBytes(key) + ": leader (store " + std::to_string(lead_store) + ") has " +
                 (lv ? DescribeBytes(*lv) : std::string("no value")) + ", store " +
                 std::to_string(id) + " has " + (sv ? DescribeBytes(*sv) : std::string("no value"));
      };
      auto w = want.begin();
      auto g = got.begin();
      while (w != want.end() || g != got.end()) {
        if (g == got.end() || (w != want.end() && w->first < g->first)) {
          note(w->first, &w->second, nullptr);
          ++w;
        } else if (w == want.end() || g->first < w->first) {
          note(g->first, nullptr, &g->second);
          ++g;
        } else {
          if (w->second != g->second) note(w->first, &w->second, &g->second);
          ++w;
          ++g;
        }
      }
    }
  }
  if (count == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "replica audit: after quiescence " << count
         << " key(s) differ from the leader's kv engine (region " << region_id
         << ", every store applied up to the leader's commit index)" << diffs
         << (count > max_diffs ? "\n  ..." : "") << "\n  peers: " << cluster.DescribePeers()
         << cluster.SeedNote();
}

::testing::AssertionResult CheckReplicas(Cluster& cluster, uint64_t region_id) {
  if (auto r = WaitQuiescent(cluster, region_id); !r) return r;
  return CompareReplicas(cluster, region_id);
}

}  // namespace raftstore::testing::audit
