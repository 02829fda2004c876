#pragma once

// Snapshot counters a test can assert on (lab 2C), per store and over the whole run, across
// restarts (a store's workers start from zero when it restarts; these keep counting):
//   - snapshots sent: MsgSnapshots the store sent / that were sent to it, whether or not the
//     network delivered them (SimTransport);
//   - generation tasks scheduled on the store's region worker (RegionTaskGen, one per
//     PeerStorage::Snapshot call that starts a generation), and how many of them failed;
//   - snapshots applied by the store's region worker (RegionTaskApply that succeeded), and
//     applies that failed.
//
//   SnapshotCounters snaps(&cluster);
//   cluster.AddObserver(&snaps);
//   ... cut store 3 off, write, heal ...
//   EXPECT_EQ(snaps.applied(3), 1u) << snaps.Describe();

#include <cstdint>
#include <map>
#include <string>

#include "raftstore/testing/cluster.h"

namespace raftstore::testing::audit {

class SnapshotCounters : public ClusterObserver {
 public:
  explicit SnapshotCounters(Cluster* cluster) : cluster_(cluster) {}

  // The store's workers go with it: keep what they counted.
  void BeforeStop(uint64_t store_id) override;

  uint64_t sent_from(uint64_t store_id) const;
  uint64_t sent_to(uint64_t store_id) const;
  uint64_t generations_scheduled(uint64_t store_id) const;
  uint64_t generations_failed(uint64_t store_id) const;
  uint64_t applied(uint64_t store_id) const;
  uint64_t applies_failed(uint64_t store_id) const;
  // Over every store.
  uint64_t sent() const;
  uint64_t generations_scheduled() const;
  uint64_t applied() const;
  // "snapshots: 2 sent (to store 3: 2), 3 generation tasks (1 failed), 1 applied (store 3: 1)"
  std::string Describe() const;

 private:
  struct Counts {
    uint64_t gen_scheduled = 0;
    uint64_t gen_failed = 0;
    uint64_t applied = 0;
    uint64_t apply_failed = 0;
  };
  // What the store counted before its last restarts plus what its running workers count now.
  Counts counts(uint64_t store_id) const;

  Cluster* cluster_;
  std::map<uint64_t, Counts> before_;
};

}  // namespace raftstore::testing::audit
