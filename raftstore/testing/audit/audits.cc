#include "raftstore/testing/audit/audits.h"

#include <cstdio>

#include "raftstore/testing/audit/replica_check.h"

namespace raftstore::testing::audit {

AuditOptions AuditOptionsFor(const GenericTestOptions& o) {
  AuditOptions a;
  const bool faults = o.unreliable || o.crash || o.crash_points || o.partitions || o.isolate_leader;
  // Config::ForTests: an election timeout of at least 500 ms; a message well under 50 ms can't
  // starve followers of heartbeats.
  if (!faults && o.net_delay_max < 50'000) {
    a.expect_leader_terms = 1;
    a.expect_snapshots = 0;
  }
  a.log_gc = o.max_raft_log > 0;
  return a;
}

void Audits::Attach(Cluster& cluster) {
  cluster_ = &cluster;
  const uint64_t region_id = 1;  // the bootstrapped region (Cluster::Start)
  callbacks_ = std::make_unique<CallbackAudit>(&cluster);
  apply_ = std::make_unique<ApplyAudit>(&cluster, region_id);
  elections_ = std::make_unique<ElectionCounters>(&cluster, region_id);
  snapshots_ = std::make_unique<SnapshotCounters>(&cluster);
  cluster.AddObserver(callbacks_.get());
  cluster.AddObserver(apply_.get());
  cluster.AddObserver(elections_.get());
  cluster.AddObserver(snapshots_.get());
  persisted_ = std::make_unique<PersistedStateAudit>(&cluster, region_id);
  cluster.AddObserver(persisted_.get());
  if (options_.log_gc) {
    log_gc_ = std::make_unique<LogGcAudit>(&cluster, region_id,
                                           cluster.options().cfg.raft_log_gc_count_limit);
    cluster.AddObserver(log_gc_.get());
  }
}

void Audits::Detach() {
  if (cluster_ == nullptr) return;
  cluster_->RemoveObserver(callbacks_.get());
  cluster_->RemoveObserver(apply_.get());
  cluster_->RemoveObserver(elections_.get());
  cluster_->RemoveObserver(snapshots_.get());
  cluster_->RemoveObserver(persisted_.get());
  if (log_gc_) cluster_->RemoveObserver(log_gc_.get());
  cluster_ = nullptr;
}

::testing::AssertionResult Audits::Check(Cluster& cluster) {
  const uint64_t region_id = cluster.region().id();
  for (uint64_t id : cluster.StoreIds()) {
    if (auto r = cluster.StartServer(id); !r) return r;
  }
  if (auto r = callbacks_->Failures(); !r) return r;
  if (auto r = apply_->Check(); !r) return r;
  if (auto r = WaitQuiescent(cluster, region_id); !r) return r;
  if (auto r = callbacks_->CheckAllAnswered(region_id); !r) return r;
  if (auto r = CompareReplicas(cluster, region_id); !r) return r;
  if (auto r = apply_->Check(); !r) return r;
  if (auto r = persisted_->Check(); !r) return r;
  if (log_gc_) {
    if (auto r = log_gc_->Check(); !r) return r;
  }
  elections_->ObserveAll();
  if (options_.expect_leader_terms && elections_->leader_terms() != *options_.expect_leader_terms) {
    return ::testing::AssertionFailure()
           << "election audit: a run without faults should keep its first leader, but "
           << elections_->leader_terms() << " terms had a leader (want "
           << *options_.expect_leader_terms << "): " << elections_->Describe()
           << cluster.SeedNote();
  }
  if (options_.expect_snapshots &&
      (snapshots_->sent() > *options_.expect_snapshots ||
       snapshots_->generations_scheduled() > *options_.expect_snapshots ||
       snapshots_->applied() > *options_.expect_snapshots)) {
    return ::testing::AssertionFailure()
           << "snapshot audit: a run without faults keeps every follower within the leader's "
              "log, so it should need at most "
           << *options_.expect_snapshots << " snapshot(s), but " << snapshots_->Describe()
           << cluster.SeedNote();
  }
  std::printf(
      "[ AUDIT    ] replicas equal, %llu callbacks watched, none answered twice or lost, %llu "
      "apply-state reads, %s; %s; %s, %llu preemptions%s%s\n",
      static_cast<unsigned long long>(callbacks_->watched()),
      static_cast<unsigned long long>(apply_->observations()), elections_->Describe().c_str(),
      snapshots_->Describe().c_str(), persisted_->Describe().c_str(),
      static_cast<unsigned long long>(cluster.rt().preemptions()), log_gc_ ? "; " : "",
      log_gc_ ? log_gc_->Describe().c_str() : "");
  return ::testing::AssertionSuccess();
}

}  // namespace raftstore::testing::audit
