#pragma once

// Persisted state audit (labs 2B and 2C): what each store's engines say about its log must be
// true of the log they hold, and must be something a restart can load.
//
// "A crash here" checks — the state a restart would load, at any moment a crash could happen:
// before every restart (Cluster's BeforeStart: a failure is the restart's failure), right
// after a crash, and at every preemption point where the store's other workers overtook its
// task (SimRuntime::PreemptionPoint: their writes have landed, the task's next one has not):
//   - applied >= truncated, and applied <= the persisted commit index and last index (after
//     the one repair PeerStorage::Create makes: a crash between the two writes of a Ready that
//     applied a snapshot);
//   - every entry in (truncated index, last index] is in the raft engine, the last one with
//     the raft state's last term; none lies past the last index;
//   - the truncated state's term is the term the entry at that index had: the one the raft
//     engine still holds, and the one recorded when the entry was committed (below);
//   - the region state is there and Normal.
// Between tasks (sampled when a message or command reaches a store, after every restart, and
// at the check) also: the peer's in-memory applied index, truncated state and region are
// what its engines hold (memory must not run ahead of the disk, nor the disk lag behind).
//
// The terms of committed entries are recorded as they are persisted: after every write to a
// raft engine, the audit reads the entries up to the store's commit index that nobody recorded
// yet, from the peer's Raft log (a committed entry's term never changes, on any store).
// Compaction after a leader change is where a truncated term goes wrong: the entry compacted
// was written in an older term than the one the store is in.
//
// Every failure names the store, the field, the persisted and the actual value, and what the
// student probably did.

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "proto/raft_serverpb.pb.h"
#include "raftstore/runtime/runtime.h"
#include "raftstore/testing/cluster.h"

namespace raftstore::testing::audit {

class PersistedStateAudit : public ClusterObserver {
 public:
  PersistedStateAudit(Cluster* cluster, uint64_t region_id);

  // Virtual time between two between-task samples of every store.
  static constexpr runtime::Micros kSampleEvery = 100'000;

  void OnStoreInput(uint64_t store_id) override;
  void OnEngineWrite(uint64_t store_id, const kv::Engine& engine,
                     const kv::Engine::WriteEvent& event) override;
  void OnPreempted(uint64_t store_id, const std::vector<std::string>& ran,
                   const std::string& where) override;
  void BeforeStop(uint64_t store_id) override;
  ::testing::AssertionResult BeforeStart(uint64_t store_id) override;
  void AfterStart(uint64_t store_id) override;

  // Samples every running store once more, then reports what went wrong (with the seed).
  ::testing::AssertionResult Check();
  // "persisted state: 312 samples, 14 at preemption points, 9 restarts; 220 committed terms
  // recorded"
  std::string Describe() const;

  // The term recorded for a committed index, if the audit saw it persisted.
  std::optional<uint64_t> CommittedTerm(uint64_t index) const;
  uint64_t samples() const { return samples_; }
  uint64_t preempted_samples() const { return preempted_samples_; }

 private:
  struct Recorded {
    uint64_t term = 0;
    uint64_t store_id = 0;  // the first store seen persisting it as committed (0: bootstrap)
    runtime::Micros time = 0;
  };
  struct Persisted {
    raft_serverpb::RegionLocalState region;
    raft_serverpb::RaftLocalState raft;
    raft_serverpb::RaftApplyState apply;
  };
  // Reads what the store's engines hold; false (and a failure in *why) when unreadable, and
  // false with *why empty when the store holds no peer of the region.
  bool read(uint64_t store_id, Persisted* out, std::string* why);
  // The "a crash here" checks; returns the problems found.
  // `full_scan`: every entry of the log, not only its ends (before a restart, which reads it
  // all anyway).
  std::vector<std::string> checkDurable(uint64_t store_id, const Persisted& p,
                                        const std::vector<std::string>* preempted_by,
                                        bool full_scan);
  // Adds the between-task checks (memory against disk).
  // Returns the problems found (also recorded for Check).
  std::vector<std::string> sample(uint64_t store_id, const std::string& when, bool between_tasks,
                                  const std::vector<std::string>* preempted_by = nullptr,
                                  bool full_scan = false);
  void recordCommitted(uint64_t store_id);
  std::string describeTerm(uint64_t index) const;
  void fail(uint64_t store_id, const std::string& when, const std::string& what);

  Cluster* cluster_;
  uint64_t region_id_;
  runtime::Micros next_sample_ = 0;
  std::map<uint64_t, Recorded> committed_;
  // Per store: the highest index whose committed term was read from its raft engine.
  std::map<uint64_t, uint64_t> recorded_upto_;
  // Per store: entries up to here past the last index are a snapshot crash's leftovers (see
  // checkDurable), not a lie.
  std::map<uint64_t, uint64_t> stale_tail_upto_;
  std::vector<std::string> failures_;
  std::set<std::string> hints_shown_;
  uint64_t failures_total_ = 0;
  uint64_t samples_ = 0;
  uint64_t preempted_samples_ = 0;
  uint64_t restarts_checked_ = 0;
  bool sampling_ = false;
};

}  // namespace raftstore::testing::audit
