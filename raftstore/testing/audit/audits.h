#pragma once

// Every raftstore audit on one cluster, as a ScenarioAudit for GenericTest (generic_test.h):
// replica comparison after quiescence (replica_check.h), the callback audit
// (callback_audit.h), the apply audit (apply_audit.h), the election counters
// (election_counters.h), the snapshot counters (snapshot_counters.h), the persisted state
// audit (persisted_state_audit.h) and, in lab 2C runs, the log GC audit (log_gc_audit.h). Linking
// //raftstore/testing/audit:on into a test binary turns them on for every GenericTest scenario it
// runs (see on.cc).

#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include "raftstore/testing/audit/apply_audit.h"
#include "raftstore/testing/audit/callback_audit.h"
#include "raftstore/testing/audit/election_counters.h"
#include "raftstore/testing/audit/log_gc_audit.h"
#include "raftstore/testing/audit/persisted_state_audit.h"
#include "raftstore/testing/audit/snapshot_counters.h"
#include "raftstore/testing/generic_test.h"

namespace raftstore::testing::audit {

struct AuditOptions {
  // If set: how many terms may have a leader over the whole run (1 for a fault-free run:
  // nothing should ever depose the first leader).
  std::optional<uint64_t> expect_leader_terms;
  // If set: how many snapshots may be sent, generated and applied over the whole run (0 for a
  // fault-free run: every follower keeps up with the leader's log).
  std::optional<uint64_t> expect_snapshots;
  // Run the log GC audit (lab 2C: the cluster's Config::raft_log_gc_count_limit is the limit).
  bool log_gc = false;
};

// What the scenario's options imply: a run without faults (no loss, partitions, crashes, and
// messages much faster than an election timeout) expects exactly one leader term and no
// snapshot; a run with log GC (max_raft_log > 0) gets the log GC audit.
AuditOptions AuditOptionsFor(const GenericTestOptions& options);

class Audits : public ScenarioAudit {
 public:
  explicit Audits(AuditOptions options = {}) : options_(options) {}
  // Registers the observers with the cluster (before it starts). The Audits must outlive the
  // cluster, or be detached (Detach) before it goes.
  void Attach(Cluster& cluster) override;
  void Detach();
  // Quiescence, callbacks answered, replicas equal, the apply audit, the election expectation.
  ::testing::AssertionResult Check(Cluster& cluster) override;

  CallbackAudit* callbacks() { return callbacks_.get(); }
  ApplyAudit* apply() { return apply_.get(); }
  ElectionCounters* elections() { return elections_.get(); }
  SnapshotCounters* snapshots() { return snapshots_.get(); }
  // Null unless AuditOptions::log_gc.
  LogGcAudit* log_gc() { return log_gc_.get(); }
  PersistedStateAudit* persisted() { return persisted_.get(); }

 private:
  AuditOptions options_;
  Cluster* cluster_ = nullptr;
  std::unique_ptr<CallbackAudit> callbacks_;
  std::unique_ptr<ApplyAudit> apply_;
  std::unique_ptr<ElectionCounters> elections_;
  std::unique_ptr<SnapshotCounters> snapshots_;
  std::unique_ptr<LogGcAudit> log_gc_;
  std::unique_ptr<PersistedStateAudit> persisted_;
};

}  // namespace raftstore::testing::audit
