#pragma once

// Cluster: a deterministic simulated Raft group in one process and one thread. N nodes, each
// a RawNode (or a bare Raft, see Driver) over its own MemoryStorage, exchange messages through
// a SimNetwork; time is virtual (Tick); every random choice comes from one seed. After every
// step — one node ticked, one message delivered, one proposal, a crash, a restart, a
// compaction — each node that moved runs the application loop:
//
//   persist the Ready's snapshot, entries and HardState to storage;
//   send its messages;
//   apply its committed entries to the node's KvStateMachine;
//   Advance;
//
// and then a SafetyChecker checks Raft's safety properties over the whole cluster. The Ready
// contract audit (raft/testing/ready_contract.h, on by default) runs inside that loop: after a
// Ready is persisted and before its messages go out or its entries are applied, the node's
// durable state in memory (term, vote, commit, log, pending snapshot) must equal what a restart
// from its storage would load, and every message and committed entry must be justified by what
// is on disk; after the loop (Advance, or no Ready at all) memory and disk must still agree. The
// first violation stops the run; FailureReport() says which property broke, on which nodes, at
// which index and term, under which seed, and how to replay it, followed by the last events.
//
// A crash keeps exactly what was persisted (the MemoryStorage: HardState, entries, snapshot)
// and loses everything else (the Raft node, the state machine, messages addressed to it);
// Restart rebuilds the state machine from the storage's snapshot and starts a new node over
// the same storage.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "proto/eraftpb.pb.h"
#include "raft/errors.h"
#include "raft/memory_storage.h"
#include "raft/raft.h"
#include "raft/rawnode.h"
#include "raft/sim/log_view.h"
#include "raft/sim/network.h"
#include "raft/sim/safety_checker.h"
#include "raft/sim/sim_random.h"
#include "raft/sim/state_machine.h"
#include "raft/sim/trace.h"
#include "raft/testing/ready_contract.h"
#include "timeline/recorder.h"

namespace raft::sim {

// How the cluster drives each node.
enum class Driver {
  // Through RawNode's Ready/Advance (lab 2AC and later): the full application loop,
  // snapshots included.
  kRawNode,
  // Through the bare Raft, the way the 2AA/2AB unit tests do: tick(), Step(), its msgs, and
  // the log's unstableEntries()/nextEnts() with stabled/applied set by the cluster. No
  // snapshots (Compact is refused).
  kRaft,
};

struct ClusterOptions {
  size_t size = 3;  // nodes 1..size
  int election_tick = 10;
  int heartbeat_tick = 1;
  uint64_t seed = 1;
  Driver driver = Driver::kRawNode;
  // Run the SafetyChecker after every step.
  bool check_safety = true;
  // Run the Ready contract audit (see the top of this file) after every Ready; a breach is
  // reported as a "Ready contract" violation naming the field, the node and the step.
  bool audit_ready = true;
  // Recent events kept for failure reports; record_trace keeps every event (trace().all()).
  size_t trace_keep = 60;
  bool record_trace = false;
  // How to replay this run (printed with every failure), e.g. testutil::ReplayCommand().
  std::string replay;
  // A tick that delivers more messages than this means nodes answer each other forever.
  size_t max_deliveries_per_tick = 100000;
};

struct Counters {
  uint64_t ticks = 0;
  uint64_t steps = 0;
  uint64_t elections_started = 0;  // a node became candidate of a new term
  uint64_t term_changes = 0;       // a node moved to a new term
  uint64_t leaders_elected = 0;    // a node became leader of a new term
  uint64_t messages_sent = 0;
  uint64_t messages_delivered = 0;
  uint64_t messages_lost = 0;  // dropped, cut by a partition, or addressed to a crashed node
  uint64_t messages_duplicated = 0;
  uint64_t proposals = 0;
  uint64_t proposals_refused = 0;
  uint64_t snapshots_sent = 0;     // MsgSnapshot put on the network
  uint64_t snapshots_applied = 0;  // a Ready's snapshot persisted and restored
  uint64_t compactions = 0;
  uint64_t crashes = 0;
  uint64_t restarts = 0;

  std::string ToString() const;
};

// What a node looks like from outside.
struct NodeStatus {
  uint64_t id = 0;
  bool up = false;
  Role role = Role::kFollower;
  uint64_t term = 0;
  uint64_t vote = 0;
  uint64_t lead = 0;
  uint64_t committed = 0;
  uint64_t applied = 0;      // the state machine's applied index
  uint64_t first_index = 0;  // storage's first index (1 + the compaction point)
  uint64_t last_index = 0;   // storage's last index
  uint64_t snapshot_index = 0;
};

// Notable moments, for timelines (the demo) and tests.
struct ClusterEvent {
  enum class Type {
    kCampaign,         // node became a candidate of term
    kLeaderElected,    // node became leader of term
    kSteppedDown,      // node, a leader, is no longer one (now at term)
    kSnapshotSent,     // node sent peer a snapshot at index
    kSnapshotApplied,  // node restored a snapshot at index (term)
    kCompacted,        // node compacted its log; index is its new first index
    kCrashed,
    kRestarted,
    kPartitioned,
    kHealed,
  };
  Type type;
  uint64_t tick = 0;
  uint64_t node = 0;
  uint64_t peer = 0;
  uint64_t term = 0;
  uint64_t index = 0;
};

class Cluster {
 public:
  explicit Cluster(ClusterOptions options);
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  // --- Time ---
  // Advances virtual time by n ticks: each tick, every running node ticks (in a seeded
  // order), then every message due is delivered (and what it provokes, if due too).
  void Tick(int n = 1);
  // Delivers the messages already due, without advancing time.
  void DeliverDue();
  // Ticks until pred() holds (checked before each tick) or max_ticks passed; false if it
  // never held or the run failed.
  bool RunUntil(const std::function<bool()>& pred, int max_ticks);
  uint64_t now() const { return now_; }

  // --- Clients ---
  // Proposes `data` ("key=value" sets a key in the state machines) at node id.
  Error Propose(uint64_t id, const std::string& data);
  // Proposes at the current leader; returns its id, or 0 when there is none or it refused.
  uint64_t ProposeToLeader(const std::string& data);
  // Makes node id campaign now.
  void Campaign(uint64_t id);

  // --- Faults ---
  void SetFaults(const NetworkFaults& faults);
  // Targeted scenarios: the hook sees every message a node sends, before the network does,
  // and returns what goes on the network instead — {m} passes it, {} loses it (counted as
  // lost), several messages replace it (e.g. an append cut into the smaller appends a leader
  // with a message-size limit would send). nullptr removes it.
  using SendHook = std::function<std::vector<eraftpb::Message>(const eraftpb::Message&)>;
  void SetSendHook(SendHook hook) { send_hook_ = std::move(hook); }
  // Puts m on the network now, as if its sender sent it now (network faults and partitions
  // apply, the hook does not): how a test delivers, late, a message its hook held back.
  void Inject(const eraftpb::Message& m);
  const NetworkFaults& faults() const { return network_.faults(); }
  void Partition(const std::vector<std::vector<uint64_t>>& groups);
  void Isolate(uint64_t id);
  // Removes partitions and isolations (not drop/duplicate/delay faults).
  void Heal();
  // Heals the network, clears every fault and restarts crashed nodes.
  void HealAll();
  void Crash(uint64_t id);
  // Restarts a crashed node from its storage (crashes it first if it is running).
  void Restart(uint64_t id);
  // Log compaction on node id, as raftstore's raftlog-gc does: a snapshot of its state
  // machine at its applied index goes into storage (CreateSnapshot) and the log up to that
  // index is dropped (Compact). Lagging followers then need a snapshot. Errors if there is
  // nothing new to compact, the node is down, or the driver is kRaft.
  Error Compact(uint64_t id);

  // --- Queries ---
  std::vector<uint64_t> ids() const;
  bool up(uint64_t id) const;
  NodeStatus Status(uint64_t id) const;
  // The running leader with the highest term, or 0.
  uint64_t Leader() const;
  // True when every running node has applied an entry that set key to value.
  bool AllApplied(const std::string& key, const std::string& value) const;
  const KvStateMachine& state_machine(uint64_t id) const;
  MemoryStorage& storage(uint64_t id);
  const LogView& log_view(uint64_t id) const;
  // The node's Raft (either driver); nullptr while it is down.
  raft::Raft* raft(uint64_t id);
  // The node's RawNode (kRawNode driver only); nullptr while it is down.
  raft::RawNode* rawnode(uint64_t id);
  const Counters& counters() const { return counters_; }
  const Trace& trace() const { return trace_; }
  const ClusterOptions& options() const { return options_; }
  SimNetwork& network() { return network_; }
  // Called for every ClusterEvent.
  void set_observer(std::function<void(const ClusterEvent&)> observer) {
    observer_ = std::move(observer);
  }

  // --- Outcome ---
  bool failed() const { return !checker_.ok(); }
  const std::optional<Violation>& violation() const { return checker_.violation(); }
  // Fails the run from outside (e.g. a test's liveness check), reported like a violation.
  void Fail(const std::string& property, const std::string& detail);
  // The violation, the counters, the cluster's state and the last events; "" if none.
  std::string FailureReport() const;
  // One line per node: role, term, commit, applied, log bounds.
  std::string DescribeNodes() const;
  // The checker, for tests that feed it extra facts.
  SafetyChecker& checker() { return checker_; }
  // The run's timeline (timeline/session.h): null unless timelines are on.
  timeline::Recorder* timeline() { return timeline_; }

 private:
  struct SimNode;

  SimNode& node(uint64_t id);
  const SimNode& node(uint64_t id) const;
  void Start(SimNode& n);
  void TickNode(SimNode& n);
  void Deliver(const eraftpb::Message& m, uint64_t tag = 0);
  // After a node moved: run its application loop, update counters, check safety.
  void AfterStep(SimNode& n);
  void HandleReadyRawNode(SimNode& n);
  void HandleReadyRaft(SimNode& n);
  // The Ready contract audit of node n once what it asked for is on disk (see the top of this
  // file): memory against disk, then `msgs` (about to be sent) and `committed` (about to be
  // applied) against disk. False, with the run failed, on the first breach.
  bool AuditNode(SimNode& n, raft::test::AuditPoint point,
                 const std::vector<eraftpb::Message>& msgs,
                 const std::vector<eraftpb::Entry>& committed);
  // Fails the run with the first breach, if any; true when there is none.
  bool Audit(SimNode& n, const std::vector<raft::test::Breach>& breaches);
  // What step_ describes, in words.
  std::string StepText() const;
  void Persist(SimNode& n, const std::vector<eraftpb::Entry>& entries);
  void ApplyEntries(SimNode& n, const std::vector<eraftpb::Entry>& entries);
  void RestoreSnapshot(SimNode& n, const eraftpb::Snapshot& snap);
  void SendAll(const std::vector<eraftpb::Message>& msgs);
  void SendOne(const eraftpb::Message& m);
  void Observe(SimNode& n);
  void Check();
  void Emit(ClusterEvent::Type type, uint64_t node, uint64_t peer = 0, uint64_t term = 0,
            uint64_t index = 0);
  void Record(const std::string& event) { trace_.Add(now_, event); }
  std::string Context() const;

  ClusterOptions options_;
  SimRandom rng_;
  SimNetwork network_;
  SafetyChecker checker_;
  Trace trace_;
  Counters counters_;
  uint64_t now_ = 0;
  std::map<uint64_t, std::unique_ptr<SimNode>> nodes_;
  std::function<void(const ClusterEvent&)> observer_;
  SendHook send_hook_;
  // The step being handled, for the audit's messages; described only when one fails.
  struct StepInfo {
    const char* what = "the start of";
    uint64_t node = 0;
    const eraftpb::Message* msg = nullptr;  // the message being delivered, during its step
    uint64_t tick = 0;
  };
  StepInfo step_;

  // Timelines (null: off, nothing recorded). Times are in milliticks: now_ * 1000 + the
  // event's rank in its tick, so a tick's steps keep their order on the page.
  timeline::Time TlNow();
  void TlState(const SimNode& n);
  void TlFailure();
  void TlEvent(const ClusterEvent& e);
  timeline::Recorder* timeline_ = nullptr;
  uint64_t tl_tick_ = 0, tl_rank_ = 0;
  bool tl_failed_ = false;
  std::map<uint64_t, uint64_t> tl_partition_;  // 0 -> the open partition region
  std::map<uint64_t, uint64_t> tl_down_;       // node -> its open "down" region
  std::map<uint64_t, uint64_t> tl_duplicate_;  // message id -> its duplicate's id
};

const char* DriverName(Driver d);

}  // namespace raft::sim
