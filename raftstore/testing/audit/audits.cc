#include "raftstore/testing/audit/audits.h"

#include <cstdio>

#include "raftstore/testing/audit/replica_check.h"

namespace raftstore::testing::audit {

AuditOptions AuditOptionsFor(const GenericTestOptions& o) {
  AuditOptions a;
  const bool faults = o.unreliable || o.crash || o.partitions || o.isolate_leader;
  // Config::ForTests: an election timeout of at least 500 ms; a message well under 50 ms can't
  // starve followers of heartbeats.
  if (!faults && o.net_delay_max < 50'000) a.expect_leader_terms = 1;
  return a;
}

void Audits::Attach(Cluster& cluster) {
  cluster_ = &cluster;
  const uint64_t region_id = 1;  // the bootstrapped region (Cluster::Start)
  callbacks_ = std::make_unique<CallbackAudit>(&cluster);
  apply_ = std::make_unique<ApplyAudit>(&cluster, region_id);
  elections_ = std::make_unique<ElectionCounters>(&cluster, region_id);
  cluster.AddObserver(callbacks_.get());
  cluster.AddObserver(apply_.get());
  cluster.AddObserver(elections_.get());
}

void Audits::Detach() {
  if (cluster_ == nullptr) return;
  cluster_->RemoveObserver(callbacks_.get());
  cluster_->RemoveObserver(apply_.get());
  cluster_->RemoveObserver(elections_.get());
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
  elections_->ObserveAll();
  if (options_.expect_leader_terms && elections_->leader_terms() != *options_.expect_leader_terms) {
    return ::testing::AssertionFailure()
           << "election audit: a run without faults should keep its first leader, but "
           << elections_->leader_terms() << " terms had a leader (want "
           << *options_.expect_leader_terms << "): " << elections_->Describe()
           << cluster.SeedNote();
  }
  std::printf(
      "[ AUDIT    ] replicas equal, %llu callbacks watched, none answered twice or lost, %llu "
      "apply-state reads, "
      "%s\n",
      static_cast<unsigned long long>(callbacks_->watched()),
      static_cast<unsigned long long>(apply_->observations()), elections_->Describe().c_str());
  return ::testing::AssertionSuccess();
}

}  // namespace raftstore::testing::audit
