#pragma once

// The randomized scenario every lab 2B (and 2C) suite runs, after TinyKV's GenericTest:
// `clients` clients run concurrently against a 5-store cluster for `iterations` rounds of
// `iteration_time` (simulated), optionally with an unreliable network (10% of Raft messages
// lost), repeated random partitions, and a crash and restart of every store between rounds.
//
// What the clients do and what is checked:
//   - as in TinyKV, each client appends to its own sequence of keys ("<client> <j:08>") and
//     scans them back; every scan must return exactly what the client wrote, in order;
//   - beyond TinyKV, every client also puts, deletes and gets a few keys shared by all
//     clients, and `readers` more clients only get them; each operation's invoke and response
//     times are recorded, and the history is checked to be linearizable (history.h,
//     linearizability.h);
//   - requests carry a column family: client c's own keys live in cf c mod 3 (default, lock,
//     write), and the shared keys are used in every cf in turn, each (cf, key) a register of
//     its own; a store that writes every cf's data into one fails the scans or the history;
//   - every answered command is traced to the Raft log entry it was proposed as: that entry
//     must be the one applied at its index (success only for an applied command), and answered
//     operations must take effect in log order (a read sees every write before it in the log,
//     even one applied in the same Ready);
//   - after each round, every client's keys are scanned and checked again;
//   - with max_raft_log > 0 (lab 2C), no store may have more than 2 * max_raft_log applied
//     entries left uncompacted after a round (applied - truncated index).
//
// Every random choice comes from `seed`; a failure says which client, key and operation, what
// was expected and what was read, and the seed.

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "raftstore/runner/region_task.h"
#include "raftstore/runtime/runtime.h"
#include "raftstore/testing/crash_points.h"
#include "raftstore/testing/linearizability.h"
#include "raftstore/testing/sim_engine.h"

namespace raftstore::testing {

class Cluster;
struct GenericTestOptions;

// Checks a scenario adds on top of its own (raftstore/testing/audit/ provides them): Attach
// runs before the cluster starts; Check once the clients have stopped after the last round,
// with every store running and the network healed.
class ScenarioAudit {
 public:
  virtual ~ScenarioAudit() = default;
  virtual void Attach(Cluster& cluster) = 0;
  virtual ::testing::AssertionResult Check(Cluster& cluster) = 0;
};
using ScenarioAuditFactory =
    std::function<std::unique_ptr<ScenarioAudit>(const GenericTestOptions& options)>;

// The audit of scenarios whose options name none (none unless set). Linking
// //raftstore/testing/audit:on into a test binary sets it, turning the audits on for every
// scenario of that binary.
void SetDefaultScenarioAudit(ScenarioAuditFactory factory);

struct GenericTestOptions {
  // The lab tag, for messages ("2B", "2C").
  std::string part = "2B";
  int clients = 1;
  // Extra clients that only read the shared keys. A reader sticks with whichever peer answers
  // it, so if a deposed leader answers reads on its own, a reader keeps getting stale values
  // while the writers have moved on to the new leader: the history check catches that.
  int readers = 1;
  bool unreliable = false;
  bool crash = false;
  bool partitions = false;
  // Instead of random partitions: repeatedly cut the current leader (and one more store) off
  // from the rest for a few seconds while the clients go on. A leader that keeps serving reads
  // on its own is caught by the history check.
  bool isolate_leader = false;
  // Lab 2C: the raft log GC threshold (Config::raft_log_gc_count_limit); -1 leaves it alone.
  int max_raft_log = -1;
  // Lab 2C: faults of every store's region worker (snapshot generation failing or late).
  raftstore::runner::RegionTaskFaults region_faults;
  // Crash points (crash_points.h): during every round, random stores crash at random engine
  // writes and sends, in the middle of whatever they are doing, and restart after a drawn
  // delay; every crashed store is up again before the round's checks.
  bool crash_points = false;
  CrashScheduleOptions crash_schedule;
  // Slow workers: every task posted to a store's region worker or raftlog-gc worker waits a
  // delay drawn from [0, worker_delay_max] before it can run (each worker stays FIFO, see
  // SimRuntime::SetPostDelay): snapshots are generated late, from a state that has moved on,
  // and log GC lags behind the truncated index.
  runtime::Micros worker_delay_max = 0;
  // TinyKV project 3 (membership changes, region splits): not part of these labs; must stay
  // false.
  bool confchange = false;
  bool split = false;

  int servers = 5;
  int iterations = 3;
  runtime::Micros iteration_time = 5'000'000;
  uint64_t seed = 1;
  // Fraction of Raft messages lost when `unreliable`.
  double drop_fraction = 0.1;
  // Delay of every Raft message between stores; a wide range reorders messages more.
  runtime::Micros net_delay_min = 200;
  runtime::Micros net_delay_max = 2'000;
  // Keys shared by every client (checked for linearizability).
  int shared_keys = 3;
  // How many column families the requests spread over: 1 (default only), 2 (and lock) or 3
  // (and write).
  int column_families = 3;
  // Hot keys: the clients only put, delete and get the shared keys, back to back, so that a
  // leader's Ready often applies a write and then a read of the same key (counted in
  // GenericTestReport::ready_write_reads).
  bool hot_keys = false;
  // A client operation that has not succeeded after this long fails the test. TinyKV's
  // Request retries at least ten times, each for up to 5 s, so it allows up to ~50 s.
  runtime::Micros op_timeout = 20'000'000;
  // Extra checks (see ScenarioAudit); empty: the default set with SetDefaultScenarioAudit.
  ScenarioAuditFactory audit;
  // What the stores' engines keep their data in (SimEngine): a run is the same on both.
  SimEngine engine = DefaultSimEngine();
};

struct GenericTestReport {
  uint64_t own_puts = 0;
  uint64_t scans = 0;
  uint64_t shared_puts = 0;
  uint64_t shared_deletes = 0;
  uint64_t shared_gets = 0;
  // Write attempts that got no answer (recorded as pending in the history).
  uint64_t unanswered = 0;
  uint64_t events = 0;
  uint64_t messages_sent = 0;
  uint64_t messages_dropped = 0;
  // Lab 2C: MsgSnapshots that went out on the network (after their chunks).
  uint64_t snapshots_sent = 0;
  // Crash points that fired (GenericTestOptions::crash_points).
  uint64_t crashes = 0;
  // Readies in which a leader applied a write of a (cf, key) and then, in a later entry of the
  // same Ready, a read of it: what the hot-key scenario is for.
  uint64_t ready_write_reads = 0;
  // Answered operations traced to the log entry they were applied as (their log index
  // orders them in the history check).
  uint64_t answers_in_log = 0;
  runtime::Micros simulated = 0;
  double wall_seconds = 0;
  double check_seconds = 0;
  LinearizabilityResult linearizability;

  uint64_t ops() const { return own_puts + scans + shared_puts + shared_deletes + shared_gets; }
  // One line: counts, simulated and wall time, events per second.
  std::string Summary() const;
};

// Runs the scenario; prints the report's summary line; fails with what went wrong.
::testing::AssertionResult RunGenericTest(const GenericTestOptions& options,
                                          GenericTestReport* report = nullptr);

}  // namespace raftstore::testing
