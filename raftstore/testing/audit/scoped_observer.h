#pragma once

// Adds an observer to a cluster for the guard's lifetime. A test that declares its counters
// after the cluster (they take the cluster in their constructor) is destroyed in the wrong
// order for the cluster, which calls its observers while it shuts down; a guard declared after
// the observer removes it first:
//
//   Cluster cluster(options);
//   SnapshotCounters snaps(&cluster);
//   ScopedObserver watch_snaps(cluster, &snaps);

#include "raftstore/testing/cluster.h"

namespace raftstore::testing::audit {

class ScopedObserver {
 public:
  ScopedObserver(Cluster& cluster, ClusterObserver* observer)
      : cluster_(cluster), observer_(observer) {
    cluster_.AddObserver(observer_);
  }
  ~ScopedObserver() { cluster_.RemoveObserver(observer_); }
  ScopedObserver(const ScopedObserver&) = delete;
  ScopedObserver& operator=(const ScopedObserver&) = delete;

 private:
  Cluster& cluster_;
  ClusterObserver* observer_;
};

}  // namespace raftstore::testing::audit
