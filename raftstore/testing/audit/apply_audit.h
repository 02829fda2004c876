#pragma once

// Apply audit, from the framework side: per store and region, the applied index persisted in
// RaftApplyState (kv engine, ApplyStateKey) never goes backwards — not while the store runs,
// not across a crash and restart — and every entry is applied at most once across restarts.
//
// It reads the persisted state when a message or command reaches a store (at most once per
// store per kInputReadEvery of virtual time: a read per message costs several percent of a
// busy run), just before a store crashes and just after it restarts. "At most once" is checked at
// the crash: every entry the peer's RawNode was told was applied (raft_log.applied, advanced by
// Advance) must be recorded as applied in the persisted state, or the restarted store applies those
// entries a second time (they were applied, or at least acknowledged, without their apply state).

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "raftstore/testing/cluster.h"

namespace raftstore::testing::audit {

class ApplyAudit : public ClusterObserver {
 public:
  ApplyAudit(Cluster* cluster, uint64_t region_id);

  // Virtual time between two reads of one store's state on its input.
  static constexpr runtime::Micros kInputReadEvery = 1'000;

  void OnStoreInput(uint64_t store_id) override;
  void BeforeStop(uint64_t store_id) override;
  void AfterStart(uint64_t store_id) override { observe(store_id, " (after a restart)"); }

  // Reads every running store's state once more, then reports what went wrong.
  ::testing::AssertionResult Check();
  uint64_t observations() const { return observations_; }

 private:
  void observe(uint64_t store_id, const std::string& when);
  void fail(std::string what);

  Cluster* cluster_;
  uint64_t region_id_;
  // store -> the highest applied index seen persisted.
  std::map<uint64_t, uint64_t> applied_;
  // store -> when its state may be read on input again.
  std::map<uint64_t, runtime::Micros> next_read_;
  std::vector<std::string> failures_;
  uint64_t observations_ = 0;
};

}  // namespace raftstore::testing::audit
