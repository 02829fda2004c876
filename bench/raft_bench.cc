// Committed proposals per second of the Raft library in an in-memory 3-node cluster:
// RawNode + MemoryStorage per node, messages handed over in process (no network, no disk),
// 64-byte payloads. What it measures is the Raft code and the Ready loop, nothing else.
//
//   bazel run -c opt --config=reference //bench:raft_bench
//
// BM_OneAtATime: propose one entry, wait until the leader has applied it, repeat (latency
//   bound: every proposal pays a full round of messages).
// BM_Pipelined/N: N Propose() calls back to back, then wait until all are applied. Each
//   proposal makes the leader send every follower all the entries it has not acknowledged
//   yet (TinyKV's Raft, like this one, has no limit on entries in flight), so the cost per
//   proposal grows with N.
// BM_Batched/N: N entries in one MsgPropose (how an application batches client writes),
//   then wait until all are applied.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "raft/memory_storage.h"
#include "raft/rawnode.h"
#include "raft/util.h"

namespace {

// Three RawNodes and the messages between them, in one thread.
class InProcessCluster {
 public:
  static constexpr size_t kSize = 3;
  // Storage is compacted every this many entries, as a real store's log GC would.
  static constexpr uint64_t kCompactEvery = 20000;

  InProcessCluster() {
    for (uint64_t id = 1; id <= kSize; ++id) {
      auto n = std::make_unique<Node>();
      raft::Config cfg;
      cfg.id = id;
      cfg.peers = {1, 2, 3};
      cfg.election_tick = 10;
      cfg.heartbeat_tick = 1;
      cfg.storage = &n->storage;
      cfg.random_seed = id;
      n->rawnode = std::make_unique<raft::RawNode>(cfg);
      nodes_.push_back(std::move(n));
    }
    node(1).rawnode->Campaign();
    Pump();
  }

  // False when node 1 did not become leader (a stub Raft): the benchmark has nothing to do.
  bool ok() { return node(1).rawnode->raft->state == raft::StateType::kLeader; }

  void Propose(const std::string& data) { node(1).rawnode->Propose(data); }

  // n entries in one proposal message.
  void ProposeBatch(const std::string& data, int64_t n) {
    eraftpb::Message m;
    m.set_msg_type(eraftpb::MsgPropose);
    m.set_from(1);
    m.set_to(1);
    for (int64_t i = 0; i < n; ++i) m.add_entries()->set_data(data);
    node(1).rawnode->Step(m);
  }

  // Runs every node's Ready loop and delivers messages until nothing moves.
  void Pump() {
    for (auto& n : nodes_) HandleReady(*n);
    while (!inflight_.empty()) {
      eraftpb::Message m = std::move(inflight_.front());
      inflight_.pop_front();
      Node& to = node(m.to());
      to.rawnode->Step(m);
      HandleReady(to);
    }
  }

  uint64_t leader_applied() { return node(1).applied; }
  uint64_t leader_last_index() { return node(1).rawnode->raft->raft_log.LastIndex(); }

  // Drops old log entries on every node (outside the timed region).
  void MaybeCompact() {
    for (auto& n : nodes_) {
      if (n->applied < n->compacted + kCompactEvery) continue;
      n->storage.Compact(n->applied);
      n->compacted = n->applied;
    }
  }

 private:
  struct Node {
    raft::MemoryStorage storage;
    std::unique_ptr<raft::RawNode> rawnode;
    uint64_t applied = 0;
    uint64_t compacted = 0;
  };

  Node& node(uint64_t id) { return *nodes_[id - 1]; }

  void HandleReady(Node& n) {
    while (n.rawnode->HasReady()) {
      raft::Ready rd = n.rawnode->Ready();
      if (!raft::IsEmptySnap(rd.snapshot)) n.storage.ApplySnapshot(rd.snapshot);
      n.storage.Append(rd.entries);
      if (!raft::IsEmptyHardState(rd.hard_state)) n.storage.SetHardState(rd.hard_state);
      for (eraftpb::Message& m : rd.messages) inflight_.push_back(std::move(m));
      // "Applying" is counting: the benchmark measures Raft, not a state machine.
      if (!rd.committed_entries.empty()) n.applied = rd.committed_entries.back().index();
      n.rawnode->Advance(rd);
    }
  }

  std::vector<std::unique_ptr<Node>> nodes_;
  std::deque<eraftpb::Message> inflight_;
};

const std::string kPayload(64, 'x');
constexpr char kNoLeader[] = "no leader elected: run with --config=reference";

void BM_OneAtATime(benchmark::State& state) {
  InProcessCluster c;
  if (!c.ok()) return state.SkipWithError(kNoLeader);
  for (auto _ : state) {
    c.Propose(kPayload);
    const uint64_t want = c.leader_last_index();
    c.Pump();
    if (c.leader_applied() < want) {
      state.SkipWithError("a proposal did not commit");
      break;
    }
    if (want % InProcessCluster::kCompactEvery == 0) c.MaybeCompact();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel("committed proposals; items_per_second = proposals/s");
}
BENCHMARK(BM_OneAtATime);

void BM_Pipelined(benchmark::State& state) {
  InProcessCluster c;
  if (!c.ok()) return state.SkipWithError(kNoLeader);
  const int64_t batch = state.range(0);
  for (auto _ : state) {
    for (int64_t i = 0; i < batch; ++i) c.Propose(kPayload);
    const uint64_t want = c.leader_last_index();
    c.Pump();
    if (c.leader_applied() < want) {
      state.SkipWithError("a batch did not commit");
      break;
    }
    state.PauseTiming();
    c.MaybeCompact();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * batch);
  state.SetLabel("committed proposals; items_per_second = proposals/s");
}
BENCHMARK(BM_Pipelined)->Arg(10)->Arg(100)->Arg(1000);

void BM_Batched(benchmark::State& state) {
  InProcessCluster c;
  if (!c.ok()) return state.SkipWithError(kNoLeader);
  const int64_t batch = state.range(0);
  for (auto _ : state) {
    c.ProposeBatch(kPayload, batch);
    const uint64_t want = c.leader_last_index();
    c.Pump();
    if (c.leader_applied() < want) {
      state.SkipWithError("a batch did not commit");
      break;
    }
    state.PauseTiming();
    c.MaybeCompact();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * batch);
  state.SetLabel("committed proposals; items_per_second = proposals/s");
}
BENCHMARK(BM_Batched)->Arg(1000);

}  // namespace

BENCHMARK_MAIN();
