// The lab 2B/2C stress command: runs the Raftstore2B (or, with --lab=2c, Raftstore2C)
// GenericTest scenarios over many seeds and reports, per scenario, how many runs failed (with
// the seed and the command that replays each failure), the wall time per run, seeds per
// minute and simulated events per second.
//
//   bazel run --config=reference //raftstore/testing:stress -- --seeds=20
//   bazel run --config=reference //raftstore/testing:stress -- --scenario=PersistPartition
//       --seed=12345 --seeds=1            # replay one run (add TINYKV_TRACE=/tmp/t.txt)
//   bazel run --config=reference //raftstore/testing:stress -- --lab=2c --seeds=20
//
// Flags: --lab=2b|2c (default 2b: which lab's scenarios; 2c runs them with log GC at
// max_raft_log = 100, as raftstore_2c_test.cc), --scenario=<name>|all (default all),
// --seeds=N (default 5), --seed=S (first seed;
// default: from TINYKV_SEED or a fixed one), --iterations=N and --iteration_ms=N (default:
// TinyKV's 3 rounds of 5000 ms).
//
// Overrides for every scenario run (e.g. to replay a hidden scenario's run): --clients=N,
// --servers=N, --max_raft_log=N, --drop=F (with unreliable), --gen_fail_percent=N,
// --gen_delay_percent=N, --unreliable=0|1, --crash=0|1, --partitions=0|1; crash points
// (crash_points.h): --crash_points=0|1, --send_percent=N (of the crash points), and slow
// workers: --worker_delay_ms=N (region and raftlog-gc tasks up to N ms late).
//
// Every run also runs the audits of the test suites (raftstore/testing/audit/: replicas,
// callbacks, apply, elections, snapshots, and the log GC audit in 2C); --audits=0 turns them off
// (to measure what they cost).

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "raftstore/testing/generic_test.h"
#include "testutil/seed.h"

namespace {

using raftstore::testing::GenericTestOptions;
using raftstore::testing::GenericTestReport;

struct Scenario {
  const char* name;
  int clients;
  bool unreliable, crash, partitions;
  int max_raft_log = -1;
};

// The GenericTest scenarios of the public suite (raftstore/tests/raftstore_2b_test.cc).
constexpr Scenario kScenarios[] = {
    {"Basic", 1, false, false, false},
    {"Concurrent", 5, false, false, false},
    {"Unreliable", 5, true, false, false},
    {"ManyPartitionsOneClient", 1, false, false, true},
    {"ManyPartitionsManyClients", 5, false, false, true},
    {"PersistOneClient", 1, false, true, false},
    {"PersistConcurrent", 5, false, true, false},
    {"PersistConcurrentUnreliable", 5, true, true, false},
    {"PersistPartition", 5, false, true, true},
    {"PersistPartitionUnreliable", 5, true, true, true},
};

// The GenericTest scenarios of the lab 2C suite (raftstore/tests/raftstore_2c_test.cc).
constexpr Scenario kScenarios2C[] = {
    {"SnapshotRecover", 1, false, true, false, 100},
    {"SnapshotRecoverManyClients", 20, false, true, false, 100},
    {"SnapshotUnreliable", 5, true, false, false, 100},
    {"SnapshotUnreliableRecover", 5, true, true, false, 100},
    {"SnapshotUnreliableRecoverConcurrentPartition", 5, true, true, true, 100},
};

bool Flag(const char* arg, const char* name, std::string* value) {
  const size_t n = std::strlen(name);
  if (std::strncmp(arg, name, n) != 0 || arg[n] != '=') return false;
  *value = arg + n + 1;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string scenario = "all";
  std::string lab = "2b";
  int seeds = 5;
  uint64_t first_seed = testutil::TestSeed();
  int iterations = 3;
  int iteration_ms = 5000;
  // Overrides (-1: the scenario's own value).
  int clients = -1, servers = -1, max_raft_log = -1, unreliable = -1, crash = -1, partitions = -1;
  double drop = -1;
  int crash_points = -1, send_percent = -1, worker_delay_ms = -1;
  raftstore::runner::RegionTaskFaults faults;
  bool audits = true;
  std::string overrides;  // repeated in the replay commands
  for (int i = 1; i < argc; ++i) {
    std::string v;
    if (!Flag(argv[i], "--seed", &v) && !Flag(argv[i], "--seeds", &v) &&
        !Flag(argv[i], "--scenario", &v) && !Flag(argv[i], "--lab", &v)) {
      overrides += std::string(" ") + argv[i];
    }
    if (Flag(argv[i], "--clients", &v)) {
      clients = std::atoi(v.c_str());
    } else if (Flag(argv[i], "--servers", &v)) {
      servers = std::atoi(v.c_str());
    } else if (Flag(argv[i], "--max_raft_log", &v)) {
      max_raft_log = std::atoi(v.c_str());
    } else if (Flag(argv[i], "--unreliable", &v)) {
      unreliable = std::atoi(v.c_str());
    } else if (Flag(argv[i], "--crash", &v)) {
      crash = std::atoi(v.c_str());
    } else if (Flag(argv[i], "--partitions", &v)) {
      partitions = std::atoi(v.c_str());
    } else if (Flag(argv[i], "--crash_points", &v)) {
      crash_points = std::atoi(v.c_str());
    } else if (Flag(argv[i], "--send_percent", &v)) {
      send_percent = std::atoi(v.c_str());
    } else if (Flag(argv[i], "--worker_delay_ms", &v)) {
      worker_delay_ms = std::atoi(v.c_str());
    } else if (Flag(argv[i], "--drop", &v)) {
      drop = std::atof(v.c_str());
    } else if (Flag(argv[i], "--gen_fail_percent", &v)) {
      faults.gen_fail_percent = static_cast<uint32_t>(std::atoi(v.c_str()));
    } else if (Flag(argv[i], "--gen_delay_percent", &v)) {
      faults.gen_delay_percent = static_cast<uint32_t>(std::atoi(v.c_str()));
      faults.gen_delay_min = 20'000;
      faults.gen_delay_max = 300'000;
    } else if (Flag(argv[i], "--audits", &v)) {
      audits = std::atoi(v.c_str()) != 0;
    } else if (Flag(argv[i], "--lab", &v)) {
      lab = v;
    } else if (Flag(argv[i], "--scenario", &v)) {
      scenario = v;
    } else if (Flag(argv[i], "--seeds", &v)) {
      seeds = std::atoi(v.c_str());
    } else if (Flag(argv[i], "--seed", &v)) {
      first_seed = std::strtoull(v.c_str(), nullptr, 10);
    } else if (Flag(argv[i], "--iterations", &v)) {
      iterations = std::atoi(v.c_str());
    } else if (Flag(argv[i], "--iteration_ms", &v)) {
      iteration_ms = std::atoi(v.c_str());
    } else {
      std::fprintf(stderr, "unknown flag %s (see the comment at the top of stress_main.cc)\n",
                   argv[i]);
      return 2;
    }
  }

  int total_failures = 0;
  int total_runs = 0;
  bool matched = false;
  std::printf("%-46s %5s %5s %10s %10s %12s %10s\n", "scenario", "runs", "fail", "wall/run",
              "seeds/min", "events/s", "ops/run");
  if (lab != "2b" && lab != "2c") {
    std::fprintf(stderr, "--lab must be 2b or 2c\n");
    return 2;
  }
  std::vector<Scenario> scenarios;
  if (lab == "2b") scenarios.assign(std::begin(kScenarios), std::end(kScenarios));
  if (lab == "2c") scenarios.assign(std::begin(kScenarios2C), std::end(kScenarios2C));
  for (const Scenario& s : scenarios) {
    if (scenario != "all" && scenario != s.name) continue;
    matched = true;
    int failures = 0;
    double wall = 0;
    uint64_t events = 0;
    uint64_t ops = 0;
    std::vector<std::string> failed;
    for (int r = 0; r < seeds; ++r) {
      GenericTestOptions o;
      o.clients = s.clients;
      o.unreliable = s.unreliable;
      o.crash = s.crash;
      o.partitions = s.partitions;
      o.part = lab == "2c" ? "2C" : "2B";
      o.max_raft_log = s.max_raft_log;
      if (clients >= 0) o.clients = clients;
      if (servers > 0) o.servers = servers;
      if (max_raft_log > 0) o.max_raft_log = max_raft_log;
      if (unreliable >= 0) o.unreliable = unreliable != 0;
      if (crash >= 0) o.crash = crash != 0;
      if (partitions >= 0) o.partitions = partitions != 0;
      if (drop >= 0) o.drop_fraction = drop;
      if (crash_points >= 0) o.crash_points = crash_points != 0;
      if (send_percent >= 0) o.crash_schedule.send_percent = static_cast<uint32_t>(send_percent);
      if (worker_delay_ms >= 0)
        o.worker_delay_max = static_cast<runtime::Micros>(worker_delay_ms) * 1000;
      o.region_faults = faults;
      o.iterations = iterations;
      o.iteration_time = static_cast<runtime::Micros>(iteration_ms) * 1000;
      o.seed = first_seed + static_cast<uint64_t>(r);
      if (!audits) {
        o.audit =
            [](const GenericTestOptions&) -> std::unique_ptr<raftstore::testing::ScenarioAudit> {
          return nullptr;
        };
      }
      GenericTestReport report;
      ::testing::AssertionResult result = RunGenericTest(o, &report);
      wall += report.wall_seconds;
      events += report.events;
      ops += report.ops();
      if (!result) {
        ++failures;
        failed.push_back("seed " + std::to_string(o.seed) + ": " + result.message() +
                         "\n    replay: bazel run --config=reference //raftstore/testing:stress -- "
                         "--lab=" +
                         lab + " --scenario=" + s.name + " --seed=" + std::to_string(o.seed) +
                         " --seeds=1" + overrides);
      }
    }
    total_failures += failures;
    total_runs += seeds;
    std::printf("%-46s %5d %5d %9.2fs %10.1f %12.0f %10llu\n", s.name, seeds, failures,
                wall / seeds, wall > 0 ? 60.0 * seeds / wall : 0.0,
                wall > 0 ? static_cast<double>(events) / wall : 0.0,
                static_cast<unsigned long long>(ops / static_cast<uint64_t>(seeds)));
    for (const std::string& f : failed) std::printf("  FAILED %s\n", f.c_str());
    std::fflush(stdout);
  }
  if (!matched) {
    std::fprintf(stderr, "no scenario named %s\n", scenario.c_str());
    return 2;
  }
  std::printf("%d passed, %d failed\n", total_runs - total_failures, total_failures);
  return total_failures == 0 ? 0 : 1;
}
