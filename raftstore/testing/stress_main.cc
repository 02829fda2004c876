// The lab 2B/2C stress command: runs the Raftstore2B (or, with --lab=2c, Raftstore2C)
// GenericTest scenarios over many seeds and reports, per scenario, how many runs failed (with
// the seed and the command that replays each failure), the wall time per run, seeds per
// minute and simulated events per second, and the same per CPU second (user + system).
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
// TinyKV's 3 rounds of 5000 ms), --jobs=N (default 1: runs at once, one process each; use
// the machine's core count for long stress runs — every run is still fixed by its seed).
//
// Overrides for every scenario run (e.g. to replay a hidden scenario's run): --clients=N,
// --servers=N, --max_raft_log=N, --drop=F (with unreliable), --gen_fail_percent=N,
// --gen_delay_percent=N, --unreliable=0|1, --crash=0|1, --partitions=0|1; crash points
// (crash_points.h): --crash_points=0|1, --send_percent=N (of the crash points), and slow
// workers: --worker_delay_ms=N (region and raftlog-gc tasks up to N ms late).
//
// --engine=memory|rocksdb (default: TINYKV_ENGINE, else memory): what the stores' engines keep
// their data in (raftstore/testing/cluster.h, SimEngine); the same seed gives the same run on
// both, RocksDB at several times the CPU.
//
// Every run also runs the audits of the test suites (raftstore/testing/audit/: replicas,
// callbacks, apply, elections, snapshots, and the log GC audit in 2C); --audits=0 turns them off
// (to measure what they cost).

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "bench/flags.h"
#include "raftstore/testing/cluster.h"
#include "raftstore/testing/generic_test.h"
#include "raftstore/testing/parallel_runs.h"
#include "testutil/seed.h"

namespace {

using raftstore::testing::GenericTestOptions;
using raftstore::testing::RunInParallel;
using raftstore::testing::RunOutcome;

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

// The flags that pick which runs to do; every other flag changes a run and is repeated in a
// failure's replay command.
bool SelectsRuns(const std::string& arg) {
  for (const char* name : {"--seed=", "--seeds=", "--scenario=", "--lab=", "--jobs="}) {
    if (arg.rfind(name, 0) == 0) return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  std::string scenario = "all";
  std::string lab = "2b";
  int seeds = 5;
  int jobs = 1;
  uint64_t first_seed = testutil::TestSeed();
  int iterations = 3;
  int iteration_ms = 5000;
  // Overrides (-1: the scenario's own value).
  int clients = -1, servers = -1, max_raft_log = -1, unreliable = -1, crash = -1, partitions = -1;
  double drop = -1;
  int crash_points = -1, send_percent = -1, worker_delay_ms = -1;
  int gen_fail_percent = 0, gen_delay_percent = 0;
  bool audits = true;
  std::string engine = raftstore::testing::SimEngineName(raftstore::testing::DefaultSimEngine());

  bench::Flags flags("stress", "[flags] (see the comment at the top of stress_main.cc)");
  flags.Add("lab", &lab).Add("scenario", &scenario).Add("seeds", &seeds).Add("jobs", &jobs);
  flags.Add("seed", &first_seed).Add("iterations", &iterations);
  flags.Add("iteration_ms", &iteration_ms).Add("clients", &clients).Add("servers", &servers);
  flags.Add("max_raft_log", &max_raft_log).Add("unreliable", &unreliable).Add("crash", &crash);
  flags.Add("partitions", &partitions).Add("drop", &drop).Add("crash_points", &crash_points);
  flags.Add("send_percent", &send_percent).Add("worker_delay_ms", &worker_delay_ms);
  flags.Add("gen_fail_percent", &gen_fail_percent).Add("gen_delay_percent", &gen_delay_percent);
  flags.Add("audits", &audits).Add("engine", &engine);
  flags.Parse(argc, argv);
  if (engine != "memory" && engine != "rocksdb") flags.Fail("--engine must be memory or rocksdb");
  if (lab != "2b" && lab != "2c") flags.Fail("--lab must be 2b or 2c");
  if (seeds < 1 || jobs < 1) flags.Fail("--seeds and --jobs must be at least 1");

  std::string overrides;  // repeated in the replay commands
  for (int i = 1; i < argc; ++i) {
    if (!SelectsRuns(argv[i])) overrides += std::string(" ") + argv[i];
  }
  raftstore::runner::RegionTaskFaults faults;
  faults.gen_fail_percent = static_cast<uint32_t>(gen_fail_percent);
  if (gen_delay_percent > 0) {
    faults.gen_delay_percent = static_cast<uint32_t>(gen_delay_percent);
    faults.gen_delay_min = 20'000;
    faults.gen_delay_max = 300'000;
  }

  std::vector<Scenario> scenarios;
  if (lab == "2b") scenarios.assign(std::begin(kScenarios), std::end(kScenarios));
  if (lab == "2c") scenarios.assign(std::begin(kScenarios2C), std::end(kScenarios2C));
  if (scenario != "all") {
    std::erase_if(scenarios, [&](const Scenario& s) { return scenario != s.name; });
    if (scenarios.empty()) flags.Fail("no " + lab + " scenario named " + scenario);
  }

  int total_failures = 0;
  int total_runs = 0;
  const auto started = std::chrono::steady_clock::now();
  // Wall-clock columns, then the same per CPU second (what a run costs whatever else the
  // machine is doing): cpu/run, seeds per CPU-minute and events per CPU-second.
  std::printf("engine: %s\n", engine.c_str());
  std::printf("%-46s %5s %5s %10s %10s %12s %9s %10s %12s %10s\n", "scenario", "runs", "fail",
              "wall/run", "seeds/min", "events/s", "cpu/run", "seeds/cmin", "events/cs", "ops/run");
  for (const Scenario& s : scenarios) {
    std::vector<GenericTestOptions> runs;
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
      o.engine = engine == "memory" ? raftstore::testing::SimEngine::kMemory
                                    : raftstore::testing::SimEngine::kRocksDb;
      if (!audits) {
        o.audit =
            [](const GenericTestOptions&) -> std::unique_ptr<raftstore::testing::ScenarioAudit> {
          return nullptr;
        };
      }
      runs.push_back(std::move(o));
    }
    const std::vector<RunOutcome> outcomes = RunInParallel(runs, jobs);
    int failures = 0;
    double wall = 0;
    double cpu = 0;
    uint64_t events = 0;
    uint64_t ops = 0;
    std::vector<std::string> failed;
    for (size_t r = 0; r < outcomes.size(); ++r) {
      const RunOutcome& out = outcomes[r];
      wall += out.wall_seconds;
      cpu += out.cpu_seconds;
      events += out.events;
      ops += out.ops;
      if (out.ok) continue;
      ++failures;
      const std::string seed = std::to_string(runs[r].seed);
      failed.push_back("seed " + seed + ": " + out.message +
                       "\n    replay: bazel run --config=reference //raftstore/testing:stress -- "
                       "--lab=" +
                       lab + " --scenario=" + s.name + " --seed=" + seed + " --seeds=1" +
                       overrides);
    }
    total_failures += failures;
    total_runs += seeds;
    std::printf("%-46s %5d %5d %9.2fs %10.1f %12.0f %8.2fs %10.1f %12.0f %10llu\n", s.name, seeds,
                failures, wall / seeds, wall > 0 ? 60.0 * seeds / wall : 0.0,
                wall > 0 ? static_cast<double>(events) / wall : 0.0, cpu / seeds,
                cpu > 0 ? 60.0 * seeds / cpu : 0.0,
                cpu > 0 ? static_cast<double>(events) / cpu : 0.0,
                static_cast<unsigned long long>(ops / static_cast<uint64_t>(seeds)));
    for (const std::string& f : failed) std::printf("  FAILED %s\n", f.c_str());
    std::fflush(stdout);
  }
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("%d runs in %.1f s with --jobs=%d (%.1f runs/min)\n", total_runs, elapsed, jobs,
              elapsed > 0 ? 60.0 * total_runs / elapsed : 0.0);
  std::printf("%d passed, %d failed\n", total_runs - total_failures, total_failures);
  return total_failures == 0 ? 0 : 1;
}
