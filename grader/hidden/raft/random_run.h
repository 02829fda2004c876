#pragma once

// Randomized runs of a simulated Raft cluster for the hidden suites (Hidden2AA, Hidden2AB,
// Hidden2C). One run: a chaos phase in which, tick by tick, the network drops, duplicates,
// delays and reorders messages, partitions come and go, nodes crash and restart, clients
// propose and logs get compacted — with Raft's safety properties checked after every step
// (raft/sim/safety_checker.h) — then a calm phase: the network heals, crashed nodes restart,
// and the cluster must make progress (elect a leader everyone follows; commit a proposal on
// every node; end with identical state machines).
//
// Every run's seed derives from the test's seed (TINYKV_SEED). A failure names the run, its
// seed, the property, and the command that replays exactly that run
// (TINYKV_SIM_RUN=<k> runs only run k).

#include <cstdint>
#include <functional>
#include <string>

#include "raft/sim/cluster.h"

namespace hidden {

struct ChaosSpec {
  size_t nodes = 5;
  raft::sim::Driver driver = raft::sim::Driver::kRawNode;
  int chaos_ticks = 300;

  // Per tick, the chance of each event.
  double propose = 0.0;     // a client write to the leader (or, 1 time in 5, any node)
  double partition = 0.02;  // a random split, or isolating one node (often the leader)
  double heal = 0.03;
  double crash = 0.0;     // a running node crashes (at least one node keeps running)
  double restart = 0.0;   // a crashed node restarts
  double compact = 0.0;   // a running node compacts its log (kRawNode only)
  double refault = 0.05;  // new network fault levels are drawn

  // Bounds for the network faults drawn at each refault.
  double max_drop = 0.2;
  double max_duplicate = 0.1;
  int max_delay = 2;

  // After healing: the cluster must agree on a leader (and, if require_commit, commit a
  // proposal on every node) within this many ticks.
  int calm_ticks = 300;
  bool require_commit = true;
};

struct RunResult {
  bool ok = true;
  // What failed: the cluster's report (property, nodes, index/term, seed, replay, events).
  std::string report;
  raft::sim::Counters counters;
};

// One randomized run with `seed`. `replay` is printed with any failure.
RunResult RunChaos(const ChaosSpec& spec, uint64_t seed, const std::string& replay,
                   const std::function<void(raft::sim::Cluster&)>& before_calm = nullptr);

// Makes the cluster settle: heals everything, then waits for a leader that every node
// follows (same term, same leader). Fails the cluster (Liveness) if that takes more than
// max_ticks. Returns the leader, or 0.
uint64_t SettleLeader(raft::sim::Cluster& c, int max_ticks);

// Proposes key=value at the leader (again whenever it gets lost) until every running node
// applied it. Fails the cluster (Liveness) after max_ticks.
bool CommitEverywhere(raft::sim::Cluster& c, const std::string& key, const std::string& value,
                      int max_ticks);

// Checks that every running node's state machine is the same (applied index, digest,
// contents); fails the cluster (State Machine Safety) otherwise.
bool StateMachinesAgree(raft::sim::Cluster& c);

// The options every hidden run uses.
raft::sim::ClusterOptions HiddenOptions(size_t nodes, raft::sim::Driver driver, uint64_t seed,
                                        const std::string& replay);

// Runs body(run, seed, replay) for runs 0..count-1 (or only TINYKV_SIM_RUN when set), each
// with its own seed derived from the test's; stops at the first run that fails a gtest
// assertion. `replay` is the command that replays exactly that run.
void ForEachRun(int count,
                const std::function<void(int run, uint64_t seed, const std::string& replay)>& body);

}  // namespace hidden
