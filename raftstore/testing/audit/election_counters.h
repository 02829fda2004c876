#pragma once

// Election counters a test can assert on: per store, the elections its peer started (seen as
// a candidate in a new term), the terms it moved through, and the terms in which some peer
// led. Read from each peer's Raft state whenever a message or command reaches its store, and
// after a restart — so an election whose candidate hears nothing at all (cut off alone) is
// only counted once something reaches it.
//
//   ElectionCounters counters(&cluster, cluster.region().id());
//   ... run ...
//   EXPECT_EQ(counters.leader_terms(), 1u) << counters.Describe();

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "raftstore/testing/cluster.h"

namespace raftstore::testing::audit {

class ElectionCounters : public ClusterObserver {
 public:
  ElectionCounters(Cluster* cluster, uint64_t region_id);

  void OnStoreInput(uint64_t store_id) override { observe(store_id); }
  void AfterStart(uint64_t store_id) override { observe(store_id); }
  // Reads every running store now (e.g. before asserting).
  void ObserveAll();

  uint64_t elections_started(uint64_t store_id) const;
  uint64_t term_changes(uint64_t store_id) const;
  uint64_t elections_started() const;
  // How many distinct terms had a leader.
  uint64_t leader_terms() const { return leader_terms_.size(); }
  // "store 1: 1 elections, 2 term changes; ...; leaders in terms 2"
  std::string Describe() const;

 private:
  struct PerStore {
    uint64_t term = 0;
    uint64_t last_candidate_term = 0;
    uint64_t elections = 0;
    uint64_t term_changes = 0;
  };
  void observe(uint64_t store_id);

  Cluster* cluster_;
  uint64_t region_id_;
  std::map<uint64_t, PerStore> stores_;
  std::set<uint64_t> leader_terms_;
};

}  // namespace raftstore::testing::audit
