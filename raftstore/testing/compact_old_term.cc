#include "raftstore/testing/compact_old_term.h"

#include <optional>
#include <string>

#include "raftstore/peer.h"
#include "raftstore/testing/audit/persisted_state_audit.h"
#include "raftstore/testing/audit/scoped_observer.h"
#include "raftstore/testing/audit/snapshot_counters.h"

namespace raftstore::testing {

::testing::AssertionResult CompactOldTermThenLag(Cluster& cluster, uint64_t gc_limit,
                                                 bool exact_old_term) {
  audit::PersistedStateAudit persisted(&cluster, 1);
  audit::SnapshotCounters snaps(&cluster);
  audit::ScopedObserver watch_persisted(cluster, &persisted);
  audit::ScopedObserver watch_snaps(cluster, &snaps);
  if (auto r = cluster.Start(); !r) return r;
  if (auto r = cluster.WaitLeader(); !r) return r;
  const uint64_t old_leader = cluster.LeaderOfRegion(1)->store_id();
  Peer* p = cluster.GetPeer(old_leader, 1);
  const uint64_t old_term = p->Term();
  // Up to one entry short of the GC limit past the truncated index: nothing is compacted yet,
  // and the new leader's first entry will make it compact these, written in the old term.
  const uint64_t first = p->peer_storage->TruncatedIndex() + 1;
  int writes = 0;
  while (cluster.GetPeer(old_leader, 1)->peer_storage->AppliedIndex() + 1 < first + gc_limit) {
    if (auto r = cluster.MustPut("old" + std::to_string(writes), "v"); !r) return r;
    ++writes;
  }
  const std::string figures = "; peers: " + cluster.DescribePeers() + cluster.SeedNote();
  if (cluster.GetPeer(old_leader, 1)->peer_storage->TruncatedIndex() + 1 != first) {
    return ::testing::AssertionFailure() << "the log was compacted after " << writes
                                         << " writes, before the leader change" << figures;
  }
  // The leader goes; the others elect a new one in a later term, whose first entry pushes the
  // log past the limit.
  cluster.StopServer(old_leader);
  if (auto r = cluster.WaitLeader(); !r) return r;
  const uint64_t new_leader = cluster.LeaderOfRegion(1)->store_id();
  auto compacted_everywhere = [&] {
    for (uint64_t id : cluster.StoreIds()) {
      Peer* peer = cluster.GetPeer(id, 1);
      if (peer == nullptr || peer->peer_storage->TruncatedIndex() < first) return false;
    }
    return true;
  };
  if (auto r = cluster.StartServer(old_leader); !r) return r;
  if (!cluster.rt().RunUntil(compacted_everywhere, cluster.rt().Now() + 3'000'000)) {
    return ::testing::AssertionFailure()
           << "3 s after the leader change not every store has compacted its log (is CompactLog "
              "applied on every store?); peers: "
           << cluster.DescribePeers() << cluster.SeedNote();
  }
  const uint64_t new_term = cluster.GetPeer(new_leader, 1)->Term();
  const uint64_t truncated = cluster.GetPeer(new_leader, 1)->peer_storage->TruncatedIndex();
  const std::optional<uint64_t> entry_term = persisted.CommittedTerm(truncated);
  const bool old_entry =
      entry_term.has_value() && (exact_old_term ? *entry_term == old_term : *entry_term < new_term);
  if (new_term <= old_term || !old_entry) {
    return ::testing::AssertionFailure()
           << "the scenario meant the new leader (store " << new_leader << ", term " << new_term
           << ") to compact an entry written in the old term " << old_term << "; it compacted "
           << truncated << " (term "
           << (entry_term ? std::to_string(*entry_term) : std::string("unknown")) << ")"
           << "; peers: " << cluster.DescribePeers() << cluster.SeedNote();
  }
  if (auto r = persisted.Check(); !r) return r;

  // A follower falls behind the compacted log, and comes back.
  uint64_t lagging = 0;
  for (uint64_t id : cluster.StoreIds()) {
    if (id != new_leader && lagging == 0) lagging = id;
  }
  const uint64_t lagging_applied = cluster.GetPeer(lagging, 1)->peer_storage->AppliedIndex();
  const uint64_t applied_before = snaps.applied(lagging);
  cluster.StopServer(lagging);
  for (int i = 0; i < 4 * static_cast<int>(gc_limit); ++i) {
    if (auto r = cluster.MustPut("new" + std::to_string(i), std::to_string(i)); !r) return r;
  }
  cluster.rt().RunFor(300'000);
  Peer* leader = cluster.GetPeer(new_leader, 1);
  if (leader == nullptr || leader->peer_storage->TruncatedIndex() <= lagging_applied) {
    return ::testing::AssertionFailure()
           << "the leader did not compact its log past the stopped follower (store " << lagging
           << ", applied " << lagging_applied
           << "): no snapshot needed; peers: " << cluster.DescribePeers() << cluster.SeedNote();
  }
  if (auto r = cluster.StartServer(lagging); !r) return r;
  const std::string last = "new" + std::to_string(4 * gc_limit - 1);
  if (auto r = cluster.MustGetEqualOnStore(lagging, last, std::to_string(4 * gc_limit - 1)); !r) {
    return r;
  }
  if (auto r = cluster.MustGetEqualOnStore(lagging, "old0", "v"); !r) return r;
  cluster.rt().RunFor(1'000'000);
  if (snaps.applied(lagging) - applied_before != 1) {
    return ::testing::AssertionFailure()
           << "store " << lagging << " should catch up with exactly one snapshot; "
           << snaps.Describe() << "; peers: " << cluster.DescribePeers() << cluster.SeedNote();
  }
  return persisted.Check();
}

}  // namespace raftstore::testing
