#include "grader/hidden/raft/random_run.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "raft/sim/hash.h"
#include "raft/sim/sim_random.h"
#include "testutil/seed.h"

namespace hidden {

using raft::sim::Cluster;
using raft::sim::ClusterOptions;
using raft::sim::Driver;
using raft::sim::NetworkFaults;
using raft::sim::Role;
using raft::sim::SimRandom;

namespace {

// A random split of the nodes into two non-empty groups, or one node (the leader half of the
// time) cut off from the rest.
void RandomPartition(Cluster& c, SimRandom& rng) {
  const std::vector<uint64_t> ids = c.ids();
  if (rng.Chance(0.5)) {
    const uint64_t leader = c.Leader();
    c.Isolate(leader != 0 && rng.Chance(0.5) ? leader : ids[rng.Below(ids.size())]);
    return;
  }
  std::vector<uint64_t> a, b;
  for (uint64_t id : ids) (rng.Chance(0.5) ? a : b).push_back(id);
  if (a.empty() || b.empty()) return;
  c.Partition({a, b});
}

NetworkFaults RandomFaults(const ChaosSpec& spec, SimRandom& rng) {
  NetworkFaults f;
  f.drop = rng.Unit() * spec.max_drop;
  f.duplicate = rng.Unit() * spec.max_duplicate;
  f.max_delay = static_cast<int>(rng.Below(spec.max_delay + 1));
  f.reorder = rng.Chance(0.5);
  return f;
}

uint64_t RandomNode(Cluster& c, SimRandom& rng, bool want_up) {
  std::vector<uint64_t> pick;
  for (uint64_t id : c.ids()) {
    if (c.up(id) == want_up) pick.push_back(id);
  }
  return pick.empty() ? 0 : pick[rng.Below(pick.size())];
}

size_t RunningNodes(const Cluster& c) {
  size_t n = 0;
  for (uint64_t id : c.ids()) n += c.up(id) ? 1 : 0;
  return n;
}

}  // namespace

ClusterOptions HiddenOptions(size_t nodes, Driver driver, uint64_t seed,
                             const std::string& replay) {
  ClusterOptions o;
  o.size = nodes;
  o.driver = driver;
  o.seed = seed;
  o.replay = replay;
  o.election_tick = 10;
  o.heartbeat_tick = 1;
  o.trace_keep = 40;
  // After every Ready: what the node holds that must survive a crash is on disk, and nothing is
  // sent or applied before what justifies it is (raft/testing/ready_contract.h). On by default;
  // said here because the hidden suites rely on it to catch a lost change at once, not when a
  // crash happens to hit it.
  o.audit_ready = true;
  return o;
}

uint64_t SettleLeader(Cluster& c, int max_ticks) {
  c.HealAll();
  auto settled = [&] {
    const uint64_t leader = c.Leader();
    if (leader == 0) return false;
    const raft::sim::NodeStatus l = c.Status(leader);
    for (uint64_t id : c.ids()) {
      const raft::sim::NodeStatus s = c.Status(id);
      if (s.term != l.term || s.lead != leader) return false;
    }
    return true;
  };
  if (c.RunUntil(settled, max_ticks)) return c.Leader();
  if (!c.failed()) {
    c.Fail("Liveness", "the network was healed and every node running, but after " +
                           std::to_string(max_ticks) +
                           " ticks the nodes still do not follow one leader (elections must "
                           "succeed once a majority can talk: randomized timeouts, votes, "
                           "heartbeats)");
  }
  return 0;
}

bool CommitEverywhere(Cluster& c, const std::string& key, const std::string& value, int max_ticks) {
  const std::string data = key + "=" + value;
  int since = 1 << 20;
  if (c.RunUntil(
          [&] {
            if (c.AllApplied(key, value)) return true;
            // Retry now and then: a proposal is lost if its leader is deposed.
            if (++since >= 25 && c.ProposeToLeader(data) != 0) since = 0;
            return c.AllApplied(key, value);
          },
          max_ticks)) {
    return true;
  }
  if (!c.failed()) {
    c.Fail("Liveness", "the network was healed, but the write \"" + data +
                           "\" proposed to the leader was not applied on every node within " +
                           std::to_string(max_ticks) +
                           " ticks (replication, commit and apply must go on)");
  }
  return false;
}

bool StateMachinesAgree(Cluster& c) {
  uint64_t ref = 0;
  for (uint64_t id : c.ids()) {
    if (!c.up(id)) continue;
    if (ref == 0) {
      ref = id;
      continue;
    }
    const auto& a = c.state_machine(ref);
    const auto& b = c.state_machine(id);
    if (a.applied() != b.applied() || a.digest() != b.digest() || a.kv() != b.kv()) {
      c.checker().Report("State Machine Safety", {ref, id}, b.applied(), 0,
                         "after the cluster settled, node " + std::to_string(ref) +
                             " applied up to " + std::to_string(a.applied()) + " (" +
                             std::to_string(a.writes()) + " writes) but node " +
                             std::to_string(id) + " up to " + std::to_string(b.applied()) + " (" +
                             std::to_string(b.writes()) + " writes), or their states differ");
      return false;
    }
  }
  return true;
}

RunResult RunChaos(const ChaosSpec& spec, uint64_t seed, const std::string& replay,
                   const std::function<void(Cluster&)>& before_calm) {
  Cluster c(HiddenOptions(spec.nodes, spec.driver, seed, replay));
  SimRandom rng(raft::sim::DeriveSeed(seed, 77));
  c.SetFaults(RandomFaults(spec, rng));
  uint64_t writes = 0;
  for (int t = 0; t < spec.chaos_ticks && !c.failed(); ++t) {
    c.Tick();
    if (rng.Chance(spec.propose)) {
      const std::string data = "w" + std::to_string(writes) + "=" + std::to_string(t);
      ++writes;
      const uint64_t leader = c.Leader();
      const uint64_t target = leader != 0 && !rng.Chance(0.2) ? leader : RandomNode(c, rng, true);
      if (target != 0) c.Propose(target, data);
    }
    if (rng.Chance(spec.partition)) RandomPartition(c, rng);
    if (rng.Chance(spec.heal)) c.Heal();
    if (rng.Chance(spec.refault)) c.SetFaults(RandomFaults(spec, rng));
    if (rng.Chance(spec.crash) && RunningNodes(c) > 1) {
      if (uint64_t id = RandomNode(c, rng, true)) c.Crash(id);
    }
    if (rng.Chance(spec.restart)) {
      if (uint64_t id = RandomNode(c, rng, false)) c.Restart(id);
    }
    if (rng.Chance(spec.compact)) {
      if (uint64_t id = RandomNode(c, rng, true)) c.Compact(id);
    }
  }
  if (before_calm && !c.failed()) before_calm(c);

  // Calm: everything heals; the cluster must settle on a leader and make progress.
  if (!c.failed()) SettleLeader(c, spec.calm_ticks);
  if (!c.failed() && spec.require_commit) {
    if (CommitEverywhere(c, "probe", std::to_string(seed), spec.calm_ticks)) {
      c.Tick(3);  // followers learn the final commit index from the next heartbeats
      StateMachinesAgree(c);
    }
  }
  RunResult r;
  r.ok = !c.failed();
  r.counters = c.counters();
  if (!r.ok) r.report = c.FailureReport();
  return r;
}

void ForEachRun(
    int count, const std::function<void(int run, uint64_t seed, const std::string& replay)>& body) {
  int only = -1;
  if (const char* env = std::getenv("TINYKV_SIM_RUN"); env != nullptr && *env != '\0') {
    only = std::atoi(env);
  }
  for (int run = 0; run < count; ++run) {
    if (only >= 0 && run != only) continue;
    // Spread runs of different tests apart: the test's name is part of the seed.
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    const uint64_t salt = raft::sim::HashBytes(info != nullptr ? info->name() : "");
    const uint64_t seed = raft::sim::Combine(testutil::DeriveSeed(run), salt);
    const std::string replay =
        testutil::ReplayCommand() + " --test_env=TINYKV_SIM_RUN=" + std::to_string(run);
    SCOPED_TRACE("run " + std::to_string(run) + " of " + std::to_string(count) + ", run seed " +
                 std::to_string(seed) + " (test seed " + std::to_string(testutil::TestSeed()) +
                 ")");
    // An exception from the code under test ends the run; say which run it was.
    try {
      body(run, seed, replay);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "run " << run << " (seed " << seed << ") threw: " << e.what()
                    << "\n  replay: " << replay;
    }
    if (::testing::Test::HasFailure()) return;
  }
}

}  // namespace hidden
