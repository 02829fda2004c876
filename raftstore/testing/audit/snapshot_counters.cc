#include "raftstore/testing/audit/snapshot_counters.h"

#include "raftstore/runner/region_task.h"

namespace raftstore::testing::audit {

SnapshotCounters::Counts SnapshotCounters::counts(uint64_t store_id) const {
  Counts c;
  if (auto it = before_.find(store_id); it != before_.end()) c = it->second;
  RaftStore* store = cluster_->GetStore(store_id);
  if (store != nullptr && store->region_worker() != nullptr) {
    const runner::RegionTaskHandler& w = *store->region_worker();
    c.gen_scheduled += w.generations_scheduled();
    c.gen_failed += w.generations_failed();
    c.applied += w.snapshots_applied();
    c.apply_failed += w.applies_failed();
  }
  return c;
}

void SnapshotCounters::BeforeStop(uint64_t store_id) { before_[store_id] = counts(store_id); }

uint64_t SnapshotCounters::sent_from(uint64_t store_id) const {
  return cluster_->transport().snapshots_sent_from(store_id);
}
uint64_t SnapshotCounters::sent_to(uint64_t store_id) const {
  return cluster_->transport().snapshots_sent_to(store_id);
}
uint64_t SnapshotCounters::generations_scheduled(uint64_t store_id) const {
  return counts(store_id).gen_scheduled;
}
uint64_t SnapshotCounters::generations_failed(uint64_t store_id) const {
  return counts(store_id).gen_failed;
}
uint64_t SnapshotCounters::applied(uint64_t store_id) const { return counts(store_id).applied; }
uint64_t SnapshotCounters::applies_failed(uint64_t store_id) const {
  return counts(store_id).apply_failed;
}

uint64_t SnapshotCounters::sent() const {
  uint64_t n = 0;
  for (uint64_t id : cluster_->StoreIds()) n += sent_from(id);
  return n;
}
uint64_t SnapshotCounters::generations_scheduled() const {
  uint64_t n = 0;
  for (uint64_t id : cluster_->StoreIds()) n += generations_scheduled(id);
  return n;
}
uint64_t SnapshotCounters::applied() const {
  uint64_t n = 0;
  for (uint64_t id : cluster_->StoreIds()) n += applied(id);
  return n;
}

std::string SnapshotCounters::Describe() const {
  std::string to, applied_by;
  uint64_t failed = 0, apply_failed = 0;
  for (uint64_t id : cluster_->StoreIds()) {
    const Counts c = counts(id);
    failed += c.gen_failed;
    apply_failed += c.apply_failed;
    if (uint64_t n = sent_to(id); n > 0) {
      to += (to.empty() ? "" : ", ") + std::string("to store ") + std::to_string(id) + ": " +
            std::to_string(n);
    }
    if (c.applied > 0) {
      applied_by += (applied_by.empty() ? "" : ", ") + std::string("store ") + std::to_string(id) +
                    ": " + std::to_string(c.applied);
    }
  }
  std::string out = "snapshots: " + std::to_string(sent()) + " sent";
  if (!to.empty()) out += " (" + to + ")";
  out += ", " + std::to_string(generations_scheduled()) + " generation tasks (" +
         std::to_string(failed) + " failed), " + std::to_string(applied()) + " applied";
  if (!applied_by.empty()) out += " (" + applied_by + ")";
  if (apply_failed > 0) out += ", " + std::to_string(apply_failed) + " applies failed";
  return out;
}

}  // namespace raftstore::testing::audit
