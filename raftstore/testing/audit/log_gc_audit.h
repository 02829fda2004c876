#pragma once

// Log GC audit (lab 2C runs, Config::raft_log_gc_count_limit set): per store and region,
//   - the raft engine's log keys (RaftLogKey, counted in the raft engine) and the entries
//     Raft's in-memory RaftLog holds stay bounded: at most 2 * (gc limit + T), where T is the
//     most entries the region's log ever grew by within one window of
//     gc tick interval + 2 heartbeat intervals (see Bound below for why);
//   - the persisted truncated state (RaftApplyState.truncated_state, kv engine) never goes
//     back, not while the store runs, not across a crash and restart, not when a snapshot is
//     applied.
//
// A store that never deletes compacted entries from the raft engine, or whose RaftLog never
// drops compacted entries from memory, holds every entry ever written: it passes the bound
// after a few GC ticks' worth of writes, and the message says how many of the entries held
// are at or below the truncated index.
//
// Sampling: at most once per gc tick interval of virtual time, when a message or a command
// reaches a store (the audit is passive: it never posts a task, so the run's schedule is the
// same with the audit on or off), plus around every crash and restart.
//
//   LogGcAudit gc(&cluster, cluster.region().id(), limit);
//   cluster.AddObserver(&gc);
//   ... run ...
//   EXPECT_TRUE(gc.Check());

#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "raftstore/runtime/runtime.h"
#include "raftstore/testing/cluster.h"

namespace raftstore::testing::audit {

// What one sample read from one store.
struct LogGcSample {
  uint64_t engine_entries = 0;  // RaftLogKeys of the region in the raft engine
  uint64_t engine_first = 0;    // lowest and highest index among them (0 when none)
  uint64_t engine_last = 0;
  uint64_t engine_compacted = 0;  // of them, at or below the persisted truncated index
  uint64_t memory_entries = 0;    // RaftLog::entries.size()
  uint64_t memory_first = 0;      // index of RaftLog::entries[0] (0 when empty)
  uint64_t last_index = 0;        // RaftLog::LastIndex()
  uint64_t applied = 0;           // persisted applied index
  uint64_t truncated = 0;         // persisted truncated index and term
  uint64_t truncated_term = 0;
};

// Reads the sample of one running store; false when the store has no peer of the region or
// no apply state yet. Log keys are counted from index `scan_from` on (0: all of them).
bool ReadLogGcSample(Cluster& cluster, uint64_t store_id, uint64_t region_id, LogGcSample* out,
                     uint64_t scan_from = 0);

class LogGcAudit : public ClusterObserver {
 public:
  // `gc_limit`: the cluster's Config::raft_log_gc_count_limit.
  LogGcAudit(Cluster* cluster, uint64_t region_id, uint64_t gc_limit);

  void OnStoreInput(uint64_t store_id) override;
  void BeforeStop(uint64_t store_id) override;
  void AfterStart(uint64_t store_id) override;

  // Samples every running store now (counting every log key), then reports what went wrong (with
  // the seed).
  ::testing::AssertionResult Check();

  // The bound right now: 2 * (gc_limit + T).
  uint64_t Bound() const { return 2 * (gc_limit_ + peak_growth_); }
  // T: the most the region's highest log index grew by within one window.
  uint64_t peak_growth() const { return peak_growth_; }
  runtime::Micros window() const { return window_; }
  uint64_t samples() const { return samples_; }
  // The most log entries one store held in the raft engine / in memory, over the run.
  uint64_t max_engine_entries() const { return max_engine_; }
  uint64_t max_memory_entries() const { return max_memory_; }
  // The highest share of the bound any sample reached, in percent.
  uint64_t max_percent_of_bound() const { return max_percent_; }
  // "log GC: 214 samples, at most 131 entries in a raft engine and 131 in memory (bound
  // 2 * (100 + 96) = 392, 33% used), truncated index never went back"
  std::string Describe() const;

 private:
  struct PerStore {
    bool seen = false;
    uint64_t truncated = 0;
    uint64_t truncated_term = 0;
    // Where the next sample starts counting log keys (see sample()).
    uint64_t scan_from = 0;
    uint64_t samples = 0;
  };
  void maybeSample();
  void sampleAll(const char* when = "");
  void sample(uint64_t store_id, const char* when);
  void noteGrowth(uint64_t highest);
  void fail(std::string what);

  Cluster* cluster_;
  uint64_t region_id_;
  uint64_t gc_limit_;
  runtime::Micros every_;
  runtime::Micros window_;
  runtime::Micros next_sample_ = 0;
  // (time, highest log index seen on any store) for the last window.
  std::deque<std::pair<runtime::Micros, uint64_t>> highest_;
  uint64_t highest_ever_ = 0;
  uint64_t peak_growth_ = 0;
  std::map<uint64_t, PerStore> stores_;
  std::vector<std::string> failures_;
  uint64_t failures_total_ = 0;
  uint64_t samples_ = 0;
  uint64_t max_engine_ = 0;
  uint64_t max_memory_ = 0;
  uint64_t max_percent_ = 0;
  // One report per store and kind until the store is back within the bound.
  std::map<std::pair<uint64_t, int>, bool> over_;
};

}  // namespace raftstore::testing::audit
