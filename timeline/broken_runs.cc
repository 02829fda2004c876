// Writes the timelines of three deliberately broken runs, for the page's browser test and for
// anyone who wants to see what a failure looks like without breaking their own code:
//
//   timeline-split-vote.html      Raft simulator, 3 nodes: every node campaigns at the same
//                                 moment, round after round (the bug: no randomized election
//                                 timeout), so no one ever wins; a Liveness failure at the end.
//   timeline-stale-read.html      raftstore, 3 stores: the leader is isolated, a new leader
//                                 takes a write, and a Get served by the old leader from its
//                                 own engine (the bug: a read without the leader's lease or a
//                                 log round) returns the old value; the linearizability check
//                                 fails and highlights the key's operations.
//   timeline-lost-snapshot.html   raftstore 2C, 3 stores with a small GC limit: store 3 is cut
//                                 off while the others compact their logs, and when it comes
//                                 back every snapshot to it is lost (the bug: a transport that
//                                 drops snapshot messages); it never catches up.
//
//   bazel run --config=reference //timeline:broken_runs -- OUT_DIR [SEED]
//
// Each page comes with its recording as text (.txt, timeline/dump.h). Needs the reference
// (or a finished lab 2C). Exits 0 when every page was written.

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kv/engine_util/cf.h"
#include "raft/sim/cluster.h"
#include "raftstore/testing/cluster.h"
#include "raftstore/testing/history.h"
#include "raftstore/testing/linearizability.h"
#include "timeline/dump.h"
#include "timeline/output.h"
#include "timeline/session.h"

namespace {

namespace rs = raftstore::testing;

bool Write(const std::string& dir, const std::string& name) {
  const timeline::Recorder* rec = timeline::Chosen();
  if (rec == nullptr) {
    std::fprintf(stderr, "%s: nothing recorded\n", name.c_str());
    return false;
  }
  setenv("TEST_UNDECLARED_OUTPUTS_DIR", dir.c_str(), 1);
  setenv("TINYKV_TIMELINE_DUMP", "1", 1);
  std::string error;
  const std::string path = timeline::FinishTest(name, &error);
  if (path.empty()) {
    std::fprintf(stderr, "%s: %s\n", name.c_str(), error.c_str());
    return false;
  }
  std::printf("%s\n", path.c_str());
  return true;
}

void SplitVote(uint64_t seed) {
  raft::sim::ClusterOptions o;
  o.size = 3;
  o.seed = seed;
  raft::sim::Cluster c(o);
  constexpr int kRounds = 6;
  for (int round = 0; round < kRounds && !c.failed(); ++round) {
    for (uint64_t id : c.ids()) c.Campaign(id);
    c.DeliverDue();
    // After the last round the failure is pinned at once, next to the split it describes (a
    // tick later it would sit 1000 milliticks past it, and the page's #failure view, zoomed on
    // the failure, would show an empty stretch).
    if (round + 1 < kRounds) c.Tick(3);
  }
  if (!c.failed()) {
    c.Fail("Liveness",
           c.Leader() == 0
               ? "no leader after " + std::to_string(kRounds) +
                     " rounds: every round all three nodes campaigned at the same moment and "
                     "split the vote (planted bug: no randomized election timeout)"
               : "a leader emerged only by chance: the planted split votes did not hold");
  }
}

// A Filter that loses every snapshot message (MsgSnapshot and its chunks).
class DropSnapshots : public rs::Filter {
 public:
  bool Before(const raft_serverpb::RaftMessage& msg, runtime::Runtime&, runtime::Micros*) override {
    return !(msg.has_snap_chunk() || msg.message().msg_type() == eraftpb::MsgSnapshot);
  }
  std::string Describe() const override { return "drop every snapshot message (planted bug)"; }
};

void StaleRead(uint64_t seed) {
  rs::ClusterOptions o;
  o.stores = 3;
  o.seed = seed;
  rs::Cluster cl(o);
  timeline::Recorder* rec = cl.timeline();
  if (!cl.Start() || !cl.WaitLeader() || !cl.MustPut("k", "1")) {
    rec->Fail(cl.rt().Now(), "setup failed", cl.DescribePeers());
    return;
  }
  const uint64_t old_leader = cl.LeaderOfRegion(1)->store_id();
  cl.AddFilter(std::make_unique<rs::IsolateFilter>(old_leader));
  if (!cl.MustPut("k", "2")) {
    rec->Fail(cl.rt().Now(), "setup failed: no write after the isolation", cl.DescribePeers());
    return;
  }
  // The planted bug: the old leader answers a Get from its own engine.
  const runtime::Micros t = cl.rt().Now();
  const uint64_t op = rec->Invoke(t, 7, "Get", "k", "");
  // On the old leader's lane, where the read was served (the checker's failure names no store).
  rec->AddMark(t, old_leader, "read",
               "serves Get(k) from its own engine while isolated (planted bug: a read without "
               "the leader's lease or a log round)");
  auto v = cl.engines(old_leader).kv->GetCF(kv::kCfDefault, "k");
  cl.rt().RunFor(500);
  rec->Respond(cl.rt().Now(), op, "ok (served by the isolated old leader)",
               v.ok() && v.value() ? *v.value() : "");
  // The key's history, in real-time order, through the real checker.
  struct Ev {
    timeline::Time t;
    bool response;
    size_t op;
  };
  std::vector<Ev> evs;
  const auto& ops = rec->ops();
  for (size_t i = 0; i < ops.size(); ++i) {
    if (ops[i].key != "k") continue;
    evs.push_back({ops[i].invoke, false, i});
    if (ops[i].answered) evs.push_back({ops[i].response, true, i});
  }
  std::stable_sort(evs.begin(), evs.end(), [](const Ev& a, const Ev& b) { return a.t < b.t; });
  rs::History h;
  std::map<size_t, rs::History::OpId> ids;
  for (const Ev& e : evs) {
    const timeline::ClientOp& c = ops[e.op];
    const rs::OpKind kind = c.kind == "Put" ? rs::OpKind::kPut : rs::OpKind::kGet;
    if (!e.response) {
      ids[e.op] = h.Invoke(c.client, kind, c.key, kind == rs::OpKind::kPut ? c.value : "", e.t);
    } else if (kind == rs::OpKind::kPut) {
      h.ReturnWrite(ids[e.op], e.t);
    } else {
      h.ReturnGet(ids[e.op], c.value.empty() ? std::nullopt : std::optional<std::string>(c.value),
                  e.t);
    }
  }
  rs::RecordLinearizability(cl, rs::CheckLinearizable(h.Operations()));
}

void LostSnapshot(uint64_t seed) {
  rs::ClusterOptions o;
  o.stores = 3;
  o.seed = seed;
  o.cfg = raftstore::Config::ForTests2C(10);
  rs::Cluster cl(o);
  timeline::Recorder* rec = cl.timeline();
  if (!cl.Start() || !cl.WaitLeader()) {
    rec->Fail(cl.rt().Now(), "setup failed", cl.DescribePeers());
    return;
  }
  cl.AddFilter(std::make_unique<rs::IsolateFilter>(3));
  for (int i = 0; i < 30; ++i) {
    if (!cl.MustPut("k" + std::to_string(i), "v" + std::to_string(i))) {
      rec->Fail(cl.rt().Now(), "setup failed: a write did not go through", cl.DescribePeers());
      return;
    }
  }
  cl.ClearFilters();
  cl.AddFilter(std::make_unique<DropSnapshots>());
  if (auto r = cl.MustGetEqualOnStore(3, "k29", "v29", 3'000'000); !r) {
    rec->Fail(cl.rt().Now(), "store 3 never caught up", r.message(), {3});
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : ".";
  const uint64_t seed = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1;
  timeline::SetEnabled(true);
  // Run by a test (browser_test, broken_runs_test), TEST_TARGET names that test, and the
  // cluster's failure messages would offer "bazel test <that test>" as the replay of a run
  // that is this binary's: drop it (they then say "<this test target>").
  unsetenv("TEST_TARGET");
  bool ok = true;
  SplitVote(seed);
  ok &= Write(dir, "split-vote");
  StaleRead(seed);
  ok &= Write(dir, "stale-read");
  LostSnapshot(seed);
  ok &= Write(dir, "lost-snapshot");
  return ok ? 0 : 1;
}
