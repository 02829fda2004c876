// The lab 2B stress command: runs the Raftstore2B GenericTest scenarios over many seeds and
// reports, per scenario, how many runs failed (with the seed and the command that replays each
// failure), the wall time per run, seeds per minute and simulated events per second.
//
//   bazel run --config=reference //raftstore/testing:stress -- --seeds=20
//   bazel run --config=reference //raftstore/testing:stress -- --scenario=PersistPartition
//       --seed=12345 --seeds=1            (one line: replays one run; TINYKV_TRACE=/tmp/t.txt
//                                          writes its event trace if it fails)
//
// Flags: --scenario=<name>|all (default all), --seeds=N (default 5), --seed=S (first seed;
// default: from TINYKV_SEED or a fixed one), --iterations=N and --iteration_ms=N (default:
// TinyKV's 3 rounds of 5000 ms).

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
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

bool Flag(const char* arg, const char* name, std::string* value) {
  const size_t n = std::strlen(name);
  if (std::strncmp(arg, name, n) != 0 || arg[n] != '=') return false;
  *value = arg + n + 1;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string scenario = "all";
  int seeds = 5;
  uint64_t first_seed = testutil::TestSeed();
  int iterations = 3;
  int iteration_ms = 5000;
  for (int i = 1; i < argc; ++i) {
    std::string v;
    if (Flag(argv[i], "--scenario", &v)) {
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
  std::printf("%-28s %5s %5s %10s %10s %12s %10s\n", "scenario", "runs", "fail", "wall/run",
              "seeds/min", "events/s", "ops/run");
  for (const Scenario& s : kScenarios) {
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
      o.iterations = iterations;
      o.iteration_time = static_cast<runtime::Micros>(iteration_ms) * 1000;
      o.seed = first_seed + static_cast<uint64_t>(r);
      GenericTestReport report;
      ::testing::AssertionResult result = RunGenericTest(o, &report);
      wall += report.wall_seconds;
      events += report.events;
      ops += report.ops();
      if (!result) {
        ++failures;
        failed.push_back("seed " + std::to_string(o.seed) + ": " + result.message() +
                         "\n    replay: bazel run --config=reference //raftstore/testing:stress -- "
                         "--scenario=" +
                         s.name + " --seed=" + std::to_string(o.seed) + " --seeds=1");
      }
    }
    total_failures += failures;
    total_runs += seeds;
    std::printf("%-28s %5d %5d %9.2fs %10.1f %12.0f %10llu\n", s.name, seeds, failures,
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
