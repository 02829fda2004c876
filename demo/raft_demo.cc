#include "demo/raft_demo.h"

#include <cstdio>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "raft/sim/cluster.h"

namespace demo {

namespace {

using raft::sim::Cluster;
using raft::sim::ClusterEvent;
using raft::sim::ClusterOptions;
using raft::sim::NodeStatus;

// Which Raft this binary was built with (demo/BUILD sets the define under --config=reference):
// the demo says so, and says what to do when the story stops, which differs for a student
// whose Raft is unfinished and for the reference.
#ifdef TINYKV_DEMO_REFERENCE_RAFT
constexpr const char* kWhose = "the reference Raft";
constexpr const char* kRunFlags = "--config=reference ";
constexpr const char* kWhenItFails =
    "(This is the reference Raft: a failure here is a bug in the kit. Report it with the seed.)\n";
#else
constexpr const char* kWhose = "your Raft";
constexpr const char* kRunFlags = "";
constexpr const char* kWhenItFails =
    "(The demo runs on your Raft from lab 2A: it tells the whole story once\n"
    " `bazel test //labs:2a` passes. Until then it stops at the first step your Raft\n"
    " cannot do yet, as above.)\n";
#endif

constexpr size_t kNodes = 5;
constexpr int kWritesBefore = 10;  // replicated to everyone
constexpr int kWritesDuring = 30;  // while one follower is cut off

// Prints the timeline: one line per moment worth seeing, prefixed with the virtual tick and
// the cluster's state (who leads, in which term, how far it has committed).
class Timeline {
 public:
  Timeline(std::ostream& out, Cluster& c) : out_(out), c_(c) {}

  void Chapter(const std::string& title) { out_ << "\n== " << title << " ==\n"; }

  void Line(const std::string& what) {
    const uint64_t leader = c_.Leader();
    char head[96];
    if (leader == 0) {
      std::snprintf(head, sizeof head, "[tick %4llu] leader -  term -  commit %3s | ",
                    static_cast<unsigned long long>(c_.now()), "-");
    } else {
      const NodeStatus s = c_.Status(leader);
      std::snprintf(
          head, sizeof head, "[tick %4llu] leader %llu  term %llu  commit %3llu | ",
          static_cast<unsigned long long>(c_.now()), static_cast<unsigned long long>(leader),
          static_cast<unsigned long long>(s.term), static_cast<unsigned long long>(s.committed));
    }
    out_ << head << what << "\n";
  }

  void OnEvent(const ClusterEvent& e) {
    const std::string node = "node " + std::to_string(e.node);
    switch (e.type) {
      case ClusterEvent::Type::kCampaign:
        Line(node + " hears from no leader: it campaigns for term " + std::to_string(e.term));
        break;
      case ClusterEvent::Type::kLeaderElected:
        Line(node + " becomes leader of term " + std::to_string(e.term));
        break;
      case ClusterEvent::Type::kSteppedDown:
        Line(node + " steps down: it saw a message of a newer term (" + std::to_string(e.term) +
             ")");
        break;
      case ClusterEvent::Type::kSnapshotSent:
        if (!snapshots_sent_.insert({e.peer, e.index}).second) {
          Line(node + " sends node " + std::to_string(e.peer) + " the same snapshot again (node " +
               std::to_string(e.peer) + " rejected an append that crossed the first one)");
          break;
        }
        Line(node + " sends node " + std::to_string(e.peer) + " a snapshot at index " +
             std::to_string(e.index) + " (term " + std::to_string(e.term) +
             "): the entries it is missing were compacted away");
        break;
      case ClusterEvent::Type::kSnapshotApplied:
        Line(node + " restores the snapshot at index " + std::to_string(e.index) +
             ": its state machine jumps to index " + std::to_string(e.index));
        break;
      case ClusterEvent::Type::kCompacted:
        Line(node + " compacts its log: entries up to " + std::to_string(e.index - 1) +
             " dropped, first index now " + std::to_string(e.index));
        break;
      default:
        break;  // partitions, heals and restarts are narrated where the story makes them
    }
  }

 private:
  std::ostream& out_;
  Cluster& c_;
  std::set<std::pair<uint64_t, uint64_t>> snapshots_sent_;  // (peer, index) already told
};

std::string Writes(int from, int to) {
  return "key" + std::to_string(from) + " .. key" + std::to_string(to - 1);
}

// Proposes key<i>=value<i> for i in [from, to) at the leader, one per tick, retrying lost
// proposals, until the leader has applied them all. False if that does not happen in time.
bool ProposeRange(Cluster& c, int from, int to) {
  int next = from;
  return c.RunUntil(
      [&] {
        const uint64_t leader = c.Leader();
        if (leader == 0) return false;
        const auto& sm = c.state_machine(leader);
        while (next < to && sm.Get("key" + std::to_string(next)).has_value()) ++next;
        if (next == to) return true;
        c.ProposeToLeader("key" + std::to_string(next) + "=value" + std::to_string(next));
        return false;
      },
      40 * (to - from) + 100);
}

bool AllAgree(Cluster& c, std::string* why) {
  const auto& first = c.state_machine(1);
  for (uint64_t id : c.ids()) {
    const auto& sm = c.state_machine(id);
    if (!c.up(id) || sm.applied() != first.applied() || sm.digest() != first.digest() ||
        sm.kv() != first.kv()) {
      *why = "node " + std::to_string(id) + " (applied " + std::to_string(sm.applied()) +
             ") disagrees with node 1 (applied " + std::to_string(first.applied()) + ")";
      return false;
    }
  }
  return true;
}

// Every event of the run, for --trace.
void DumpTrace(std::ostream& out, const Cluster& c) {
  if (!c.options().record_trace) return;
  out << "\n== Every event of the run ==\n";
  for (const std::string& e : c.trace().all()) out << e << "\n";
}

DemoResult Fail(std::ostream& out, Cluster& c, DemoResult r, const std::string& why) {
  DumpTrace(out, c);
  r.ok = false;
  r.failure = why;
  if (c.failed()) r.failure += "\n" + c.FailureReport();
  out << "\nDEMO FAILED: " << r.failure << "\n" << c.DescribeNodes();
  out << kWhenItFails;
  return r;
}

}  // namespace

DemoResult RunRaftDemo(std::ostream& out, const DemoOptions& options) {
  const uint64_t seed = options.seed;
  DemoResult r;
  ClusterOptions opts;
  opts.record_trace = options.full_trace;
  opts.size = kNodes;
  opts.seed = seed;
  opts.replay =
      std::string("bazel run ") + kRunFlags + "//demo:raft_demo -- --seed=" + std::to_string(seed);
  Cluster c(opts);
  Timeline tl(out, c);

  c.set_observer([&](const ClusterEvent& e) { tl.OnEvent(e); });

  out << "TinyKV Raft demo: " << kWhose << " in a simulated " << kNodes << "-node cluster (seed "
      << seed << ").\n"
      << "Time is virtual: one tick is one heartbeat; an election timeout is 10-20 ticks.\n"
      << "Every step is checked against Raft's safety properties.\n";

  tl.Chapter("1. Election");
  tl.Line("5 followers start with empty logs; the first whose election timer fires campaigns");
  if (!c.RunUntil([&] { return c.Leader() != 0; }, 200)) {
    return Fail(out, c, r, "no leader was elected within 200 ticks");
  }
  const uint64_t leader = c.Leader();

  tl.Chapter("2. Replication");
  if (!ProposeRange(c, 0, kWritesBefore)) {
    return Fail(out, c, r, "the first writes did not commit");
  }
  c.Tick(2);  // followers learn the final commit index on the next heartbeat
  tl.Line("writes " + Writes(0, kWritesBefore) + " are committed and applied on all 5 nodes");

  tl.Chapter("3. A follower is cut off");
  uint64_t lagging = 0;
  for (uint64_t id : c.ids()) {
    if (id != c.Leader()) lagging = id;
  }
  r.lagging_node = lagging;
  c.Isolate(lagging);
  tl.Line("network partition: node " + std::to_string(lagging) +
          " is isolated; the other 4 are still a majority");
  if (!ProposeRange(c, kWritesBefore, kWritesBefore + kWritesDuring)) {
    return Fail(out, c, r, "the majority did not commit the writes made during the partition");
  }
  const uint64_t majority_leader = c.Leader();
  tl.Line("writes " + Writes(kWritesBefore, kWritesBefore + kWritesDuring) +
          " committed by the majority; node " + std::to_string(lagging) + " is stuck at commit " +
          std::to_string(c.Status(lagging).committed) + " (term " +
          std::to_string(c.Status(lagging).term) + ", campaigning alone)");
  c.Tick(2);

  tl.Chapter("4. Log compaction");
  tl.Line(
      "raftlog-gc: every node of the majority snapshots its state machine and drops the "
      "log up to its applied index");
  for (uint64_t id : c.ids()) {
    if (id == lagging) continue;
    if (raft::Error e = c.Compact(id)) {
      return Fail(out, c, r, "node " + std::to_string(id) + " could not compact: " + e.ToString());
    }
  }
  const NodeStatus compacted = c.Status(majority_leader);
  r.snapshot_index = compacted.snapshot_index;
  tl.Line("leader " + std::to_string(majority_leader) + "'s log now starts at index " +
          std::to_string(compacted.first_index) + "; node " + std::to_string(lagging) +
          " needs entries from " + std::to_string(c.Status(lagging).last_index + 1) +
          ": only a snapshot can bring it back");

  tl.Chapter("5. The partition heals");
  c.Heal();
  tl.Line("network healed: node " + std::to_string(lagging) + " can talk to the others again");
  const bool caught_up = c.RunUntil(
      [&] {
        return c.counters().snapshots_applied > 0 &&
               c.state_machine(lagging).applied() >= r.snapshot_index &&
               c.state_machine(lagging)
                   .Get("key" + std::to_string(kWritesBefore + kWritesDuring - 1))
                   .has_value();
      },
      300);
  if (!caught_up) {
    return Fail(out, c, r,
                "node " + std::to_string(lagging) + " was not brought back by a snapshot");
  }
  // One more write through whoever leads now, to show the group is whole again.
  if (!ProposeRange(c, kWritesBefore + kWritesDuring, kWritesBefore + kWritesDuring + 1)) {
    return Fail(out, c, r, "the healed cluster did not commit a new write");
  }
  c.Tick(3);
  const NodeStatus back = c.Status(lagging);
  tl.Line("node " + std::to_string(lagging) + " is back: commit " + std::to_string(back.committed) +
          ", applied " + std::to_string(back.applied) + ", its log starts at " +
          std::to_string(back.first_index) + " (snapshot at " +
          std::to_string(back.snapshot_index) + ")");

  DumpTrace(out, c);
  tl.Chapter("Result");
  std::string why;
  if (c.failed()) return Fail(out, c, r, "a safety property was violated");
  if (!AllAgree(c, &why)) return Fail(out, c, r, "the state machines differ: " + why);
  if (back.snapshot_index == 0 || c.counters().snapshots_sent == 0) {
    return Fail(out, c, r, "node " + std::to_string(lagging) + " caught up without a snapshot");
  }
  r.snapshots_sent = c.counters().snapshots_sent;
  r.final_commit = c.Status(c.Leader()).committed;
  r.writes = c.state_machine(1).writes();
  r.ok = true;
  out << "elections started " << c.counters().elections_started << ", leaders elected "
      << c.counters().leaders_elected << ", messages delivered " << c.counters().messages_delivered
      << ", snapshots sent " << c.counters().snapshots_sent << ", snapshots applied "
      << c.counters().snapshots_applied << "\n";
  out << c.DescribeNodes();
  out << "\nDEMO OK: node " << lagging << " was cut off, the majority compacted its log, and after "
      << "the partition healed a snapshot at index " << r.snapshot_index << " brought it back; all "
      << kNodes << " nodes agree on " << r.writes << " writes (commit index " << r.final_commit
      << "). First leader was node " << leader << ".\n";
  return r;
}

}  // namespace demo
