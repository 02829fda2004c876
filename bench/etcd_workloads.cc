// The workloads of the etcd raft anchor (../shared/anchors/etcd-raft-bench/bench.go, described in
// its RESULTS.md) on this kit's Raft, printing the same key=value line, so that the two can be
// run side by side (scripts/bench_vs_etcd.sh) and compared on time and on the counters.
//
//   bazel run -c opt --config=reference //bench:etcd_workloads -- --name=raw-64B --size=64
//   bazel run -c opt //bench:etcd_workloads -- ...      (a student's Raft, same workloads)
//
// Three RawNodes (ids 1, 2, 3) in one thread, each over its own MemoryStorage bootstrapped with
// a snapshot at index 1, term 1, voters {1, 2, 3}. One round: every live node that HasReady()
// gets Ready() -> snapshot / entries / hard state into its storage -> messages queued ->
// committed entries applied -> maybe compact -> Advance(); then every queued message is
// Step()ped into its destination, in order. Node 1 is elected before the clock starts; the
// client keeps at most --window proposals outstanding (proposed, not yet applied on node 1),
// each a fresh --size byte payload whose first 8 bytes are its sequence number, until --n are
// proposed; the clock stops when all three nodes have applied all of them. Every live node
// ticks once every --tick rounds (heartbeat 1 tick, election 10 ticks).
//
// --compact=K: every node snapshots (CreateSnapshot at its applied index, the 8-byte count of
// applied proposals as the state) and compacts to applied - --tail every K applied entries.
// --lag: node 3 is frozen (no ticks, no Ready, every message to or from it dropped) from
// proposal n/3 to proposal 2n/3; the leader has compacted past it and must send a snapshot.
// --wire: every delivered message is serialized and parsed back, as a transport would.
//
// Differences from the Go side, on purpose: this kit's RawNode has no ReportUnreachable or
// ReportSnapshot, so a dropped message is just dropped and the leader learns that a snapshot
// arrived from the follower's MsgAppendResponse. etcd's MaxSizePerMsg (1 MiB) becomes
// Config::max_entries_per_append = 1 MiB / --size. alloc_mb and mallocs count operator new
// in this process; there is no GC, so gcs and gc_pause_ms are 0.

#include <malloc.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "bench/flags.h"
#include "raft/memory_storage.h"
#include "raft/rawnode.h"
#include "raft/util.h"

// Allocation counters: every operator new of the process (protobuf and std::string included).
// The bench runs in one thread, so a plain load and store suffice: an atomic read-modify-write
// (a locked instruction) on every allocation cost ~10% of the CPU of the 64 B workloads, and
// Go counts its allocations for free.
namespace {
std::atomic<uint64_t> g_alloc_bytes{0};
std::atomic<uint64_t> g_alloc_count{0};

void Count(std::atomic<uint64_t>& counter, uint64_t n) {
  counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}
}  // namespace

void* operator new(size_t n) {
  Count(g_alloc_bytes, n);
  Count(g_alloc_count, 1);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
// Not inlined: GCC would otherwise see std::free() applied to what operator new returned and
// warn (-Wmismatched-new-delete), not knowing that this operator new is malloc.
__attribute__((noinline)) void operator delete(void* p) noexcept { std::free(p); }
__attribute__((noinline)) void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace {

struct Options {
  std::string name;
  uint64_t n = 200000;
  uint64_t window = 1000;
  uint64_t size = 64;
  uint64_t tick = 10;
  uint64_t compact = 0;
  uint64_t tail = 1000;
  bool lag = false;
  bool wire = false;
};

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "etcd_workloads: %s\n", why.c_str());
  std::exit(1);
}

void Must(const raft::Error& e, const char* what) {
  if (!e.ok()) Die(std::string(what) + ": " + e.ToString());
}

uint64_t ReadSeq(const std::string& data) {
  uint64_t v = 0;
  std::memcpy(&v, data.data(), sizeof v);  // little-endian on every machine this runs on
  return v;
}

std::string EightBytes(uint64_t v) {
  std::string s(8, '\0');
  std::memcpy(s.data(), &v, sizeof v);
  return s;
}

struct Node {
  uint64_t id = 0;
  raft::MemoryStorage storage;
  std::unique_ptr<raft::RawNode> rn;
  uint64_t applied = 1;    // raft index applied
  uint64_t count = 0;      // proposals applied; also the sequence number expected next
  uint64_t last_snap = 1;  // index of the last snapshot created or received
  bool down = false;
};

class Cluster {
 public:
  explicit Cluster(const Options& o) : o_(o) {
    for (uint64_t v : {1, 2, 3}) cs_.add_nodes(v);
    for (uint64_t id = 1; id <= 3; ++id) {
      auto nd = std::make_unique<Node>();
      nd->id = id;
      // Bootstrapped from a snapshot that holds the membership, as bench.go does for etcd.
      eraftpb::Snapshot boot;
      boot.mutable_metadata()->set_index(1);
      boot.mutable_metadata()->set_term(1);
      *boot.mutable_metadata()->mutable_conf_state() = cs_;
      Must(nd->storage.ApplySnapshot(boot), "bootstrap ApplySnapshot");
      eraftpb::HardState hs;
      hs.set_term(1);
      hs.set_commit(1);
      nd->storage.SetHardState(hs);
      raft::Config cfg;
      cfg.id = id;
      cfg.election_tick = 10;
      cfg.heartbeat_tick = 1;
      cfg.storage = &nd->storage;
      cfg.applied = 1;
      cfg.random_seed = id;
      cfg.max_entries_per_append = (1u << 20) / o.size;  // etcd's MaxSizePerMsg = 1 MiB
      nd->rn = std::make_unique<raft::RawNode>(cfg);
      nodes_.push_back(std::move(nd));
    }
  }

  Node& node(uint64_t id) { return *nodes_.at(id - 1); }

  // One Ready on every live node, then every message produced is delivered. False when
  // nothing happened at all.
  bool Round() {
    ++rounds;
    bool busy = false;
    for (auto& nd : nodes_) {
      if (nd->down || !nd->rn->HasReady()) continue;
      busy = true;
      raft::Ready rd = nd->rn->Ready();
      if (!raft::IsEmptySnap(rd.snapshot)) {
        Must(nd->storage.ApplySnapshot(rd.snapshot), "ApplySnapshot");
        if (rd.snapshot.data().size() != 8) Die("snapshot data is not the 8-byte counter");
        nd->count = ReadSeq(rd.snapshot.data());
        nd->applied = nd->last_snap = rd.snapshot.metadata().index();
        ++snaps_applied;
      }
      Must(nd->storage.Append(rd.entries), "Append");
      if (!raft::IsEmptyHardState(rd.hard_state)) nd->storage.SetHardState(rd.hard_state);
      for (eraftpb::Message& m : rd.messages) queue_.push_back(std::move(m));
      for (const eraftpb::Entry& e : rd.committed_entries) Apply(*nd, e);
      MaybeCompact(*nd);
      nd->rn->Advance(rd);
    }
    // Delivered from the other buffer, both reused round after round (bench.go's queue and
    // spare): stepping a message never queues another, its answers wait for the next Ready.
    std::vector<eraftpb::Message>& msgs = delivering_;
    msgs.swap(queue_);
    for (eraftpb::Message& m : msgs) {
      if (m.from() < 1 || m.from() > 3 || m.to() < 1 || m.to() > 3) {
        Die("message between unknown nodes: " + raft::DescribeMessage(m));
      }
      Node& from = node(m.from());
      Node& to = node(m.to());
      if (from.down || to.down) {
        ++dropped;  // no ReportUnreachable in this kit's RawNode (see the top of the file)
        if (m.msg_type() == eraftpb::MsgSnapshot) ++snaps_dropped;
        continue;
      }
      if (o_.wire) {
        std::string bytes;
        if (!m.SerializeToString(&bytes)) Die("cannot serialize a message");
        eraftpb::Message copy;
        if (!copy.ParseFromString(bytes)) Die("cannot parse a serialized message");
        m = std::move(copy);
      }
      ++delivered;
      if (m.msg_type() == eraftpb::MsgSnapshot) ++snaps_sent;
      // Given up, as bench.go hands its message over: the entries move into the log.
      Must(to.rn->Step(std::move(m)), "Step");
    }
    const bool delivered_any = !msgs.empty();
    msgs.clear();
    return busy || delivered_any;
  }

  void Tick() {
    for (auto& nd : nodes_) {
      if (!nd->down) nd->rn->Tick();
    }
  }

  bool AllApplied(uint64_t n) const {
    for (const auto& nd : nodes_) {
      if (nd->count < n) return false;
    }
    return true;
  }

  // snaps_sent counts snapshots delivered (as bench.go does); snaps_dropped the ones sent to
  // or from a node that was cut off, which bench.go does not count.
  uint64_t rounds = 0, delivered = 0, dropped = 0, snaps_sent = 0, snaps_dropped = 0;
  uint64_t snaps_applied = 0;
  uint64_t compactions = 0;

 private:
  // The state machine: proposals must arrive in order and intact on every node.
  void Apply(Node& nd, const eraftpb::Entry& e) {
    nd.applied = e.index();
    if (e.entry_type() != eraftpb::EntryNormal || e.data().empty()) return;  // a leader's no-op
    if (e.data().size() != o_.size || ReadSeq(e.data()) != nd.count) {
      Die("node " + std::to_string(nd.id) + " index " + std::to_string(e.index()) +
          ": bad payload (len " + std::to_string(e.data().size()) + ", want seq " +
          std::to_string(nd.count) + ")");
    }
    ++nd.count;
  }

  void MaybeCompact(Node& nd) {
    if (o_.compact == 0 || nd.applied < nd.last_snap + o_.compact) return;
    raft::Result<eraftpb::Snapshot> s =
        nd.storage.CreateSnapshot(nd.applied, &cs_, EightBytes(nd.count));
    if (!s.ok()) Die("CreateSnapshot: " + s.error().ToString());
    if (nd.applied > o_.tail) {
      raft::Error e = nd.storage.Compact(nd.applied - o_.tail);
      if (!e.ok() && e.code() != raft::ErrCompacted) Die("Compact: " + e.ToString());
    }
    nd.last_snap = nd.applied;
    ++compactions;
  }

  Options o_;
  eraftpb::ConfState cs_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<eraftpb::Message> queue_, delivering_;
};

double Seconds(const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; }

// Rounds without the client being done after which the run is declared stuck (a Raft that
// loses proposals, or a stub): far above the 714 rounds etcd needs.
constexpr uint64_t kMaxRounds = 5'000'000;

int Run(const Options& o) {
  Cluster c(o);
  Node& ld = c.node(1);
  Node& lagger = c.node(3);
  Must(ld.rn->Campaign(), "Campaign");
  for (int i = 0; i < 1000 && c.Round(); ++i) {
  }
  if (ld.rn->raft->state != raft::StateType::kLeader) {
    Die("node 1 did not become leader (is the Raft implemented? try --config=reference)");
  }
  c.rounds = 0;

  const uint64_t bytes0 = g_alloc_bytes.load(), count0 = g_alloc_count.load();
  rusage ru0{};
  getrusage(RUSAGE_SELF, &ru0);
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  Clock::time_point reconnected;
  uint64_t catch_target = 0, reconnect_round = 0, behind = 0, catchup_rounds = 0;
  double catchup_ms = 0;
  bool caught_up = false;
  uint64_t proposed = 0;
  for (;;) {
    while (proposed < o.n && proposed - ld.count < o.window) {
      if (o.lag && proposed == o.n / 3) lagger.down = true;
      if (o.lag && proposed == 2 * o.n / 3) {
        lagger.down = false;
        reconnected = Clock::now();
        reconnect_round = c.rounds;
        catch_target = ld.rn->raft->raft_log.committed;
        behind = catch_target - lagger.applied;
      }
      std::string data(o.size, '\0');  // a fresh client buffer per proposal
      std::memcpy(data.data(), &proposed, sizeof proposed);
      Must(ld.rn->Propose(std::move(data)), "Propose");  // the buffer becomes the entry's
      ++proposed;
    }
    if (c.rounds % o.tick == 0) c.Tick();
    c.Round();
    if (catch_target != 0 && !caught_up && lagger.applied >= catch_target) {
      caught_up = true;
      catchup_ms = std::chrono::duration<double, std::milli>(Clock::now() - reconnected).count();
      catchup_rounds = c.rounds - reconnect_round;
    }
    if (proposed == o.n && c.AllApplied(o.n)) break;
    if (c.rounds > kMaxRounds) {
      Die("no progress after " + std::to_string(kMaxRounds) + " rounds (applied: " +
          std::to_string(c.node(1).count) + "/" + std::to_string(c.node(2).count) + "/" +
          std::to_string(c.node(3).count) + " of " + std::to_string(o.n) + ")");
    }
  }
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  const double alloc_mb = (g_alloc_bytes.load() - bytes0) / 1048576.0;
  const uint64_t mallocs = g_alloc_count.load() - count0;
  const double live_mb = mallinfo2().uordblks / 1048576.0;  // the three logs, mostly
  std::printf(
      "name=%s n=%lu size=%lu window=%lu secs=%.3f ops_per_sec=%.0f cpu_user_s=%.2f "
      "cpu_sys_s=%.2f alloc_mb=%.0f mallocs=%lu gcs=0 gc_pause_ms=0.0 live_mb=%.0f "
      "maxrss_mb=%.0f rounds=%lu msgs=%lu dropped=%lu compactions=%lu snaps_sent=%lu "
      "snaps_dropped=%lu snaps_applied=%lu behind=%lu catchup_ms=%.1f catchup_rounds=%lu\n",
      o.name.c_str(), o.n, o.size, o.window, secs, o.n / secs,
      Seconds(ru.ru_utime) - Seconds(ru0.ru_utime), Seconds(ru.ru_stime) - Seconds(ru0.ru_stime),
      alloc_mb, mallocs, live_mb, ru.ru_maxrss / 1024.0, c.rounds, c.delivered, c.dropped,
      c.compactions, c.snaps_sent, c.snaps_dropped, c.snaps_applied, behind, catchup_ms,
      catchup_rounds);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  bench::Flags flags("etcd_workloads",
                     "[--name=LABEL] [--n=200000] [--size=64] [--window=1000] [--tick=10] "
                     "[--compact=0] [--tail=1000] [--lag] [--wire]");
  flags.Add("name", &o.name)
      .Add("n", &o.n)
      .Add("size", &o.size)
      .Add("window", &o.window)
      .Add("tick", &o.tick)
      .Add("compact", &o.compact)
      .Add("tail", &o.tail)
      .Add("lag", &o.lag)
      .Add("wire", &o.wire);
  flags.Parse(argc, argv);
  if (o.size < 8) flags.Fail("--size must be at least 8 (the sequence number)");
  if (o.size > (1u << 20)) flags.Fail("--size must be at most 1 MiB");
  if (o.window < 1 || o.tick < 1) flags.Fail("--window and --tick must be at least 1");
  if (o.n < 1 || (o.lag && o.n < 3)) flags.Fail("--n must be at least 1 (3 with --lag)");
  try {
    return Run(o);
  } catch (const std::exception& e) {
    Die(std::string("exception: ") + e.what());
  }
}
