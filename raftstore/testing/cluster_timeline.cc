// The raftstore cluster's timeline (timeline/recorder.h): what a failing test's page shows.
// Every store is a lane; after each task of a store its peer's Raft state is recorded (role,
// term, vote, lead, last, commit, applied, truncated); messages come from SimTransport; the
// store's workers' counters turn into 2C marks (snapshot generation, snapshot applied,
// raftlog-gc deletions); CompactLog is marked when a leader's log gains one (proposed) and when
// the truncated index moves (applied); a stopped store is a "down" region, with the crash
// point that fired. Nothing here runs unless timelines are on.

#include <algorithm>
#include <iterator>
#include <string>

#include "proto/raft_cmdpb.pb.h"
#include "raft/raft.h"
#include "raftstore/runner/raftlog_gc_task.h"
#include "raftstore/runner/region_task.h"
#include "raftstore/testing/cluster.h"
#include "raftstore/testing/linearizability.h"
#include "timeline/session.h"

namespace raftstore::testing {

struct Cluster::TimelineState {
  struct Store {
    uint64_t down_region = 0;
    // The running workers' counters last seen (they start from zero when the store restarts).
    uint64_t gen_scheduled = 0, generated = 0, gen_failed = 0, applied = 0, apply_failed = 0;
    uint64_t gc_tasks = 0, gc_removed = 0;
    uint64_t truncated = 0;
    // The peer's log was looked through for CompactLog proposals up to this index.
    uint64_t scanned = 0;
  };
  std::map<uint64_t, Store> stores;
  size_t crashes_seen = 0;
  uint64_t hook = 0;
};

namespace {

// Marks the CompactLog commands a leader appended to its log since `scanned` (its proposals:
// what the raftlog-gc tick decided), and moves `scanned` to the end of its log. A follower's
// log holds the leader's proposals, marked on the leader's lane already.
void MarkCompactLogProposals(timeline::Recorder& rec, timeline::Time t, uint64_t store_id,
                             const raft::Raft& r, uint64_t& scanned) {
  const std::vector<eraftpb::Entry>& entries = r.raft_log.entries;
  if (r.state == raft::StateType::kLeader) {
    auto it = entries.end();
    while (it != entries.begin() && std::prev(it)->index() > scanned) --it;
    for (; it != entries.end(); ++it) {
      if (it->entry_type() != eraftpb::EntryNormal || it->data().empty()) continue;
      raft_cmdpb::RaftCmdRequest cmd;
      if (!cmd.ParseFromString(it->data()) || !cmd.has_admin_request() ||
          cmd.admin_request().cmd_type() != raft_cmdpb::CompactLog) {
        continue;
      }
      const raft_cmdpb::CompactLogRequest& c = cmd.admin_request().compact_log();
      rec.AddMark(t, store_id, "compact",
                  "CompactLog proposed at entry " + std::to_string(it->index()) +
                      ": compact to index " + std::to_string(c.compact_index()) + " (term " +
                      std::to_string(c.compact_term()) + ")");
    }
  }
  scanned = r.raft_log.LastIndex();
}

const char* Role(raft::StateType s) {
  switch (s) {
    case raft::StateType::kLeader:
      return "leader";
    case raft::StateType::kCandidate:
      return "candidate";
    case raft::StateType::kFollower:
      break;
  }
  return "follower";
}

}  // namespace

void Cluster::tlStart() {
  timeline_ =
      timeline::StartRun("raftstore cluster: " + std::to_string(options_.stores) +
                             " stores, seed " + std::to_string(options_.seed),
                         timeline::TimeUnit{"us", 1e6}, "store", [this] { return rt_.Now(); });
  if (timeline_ == nullptr) return;
  tl_ = std::make_shared<TimelineState>();
  std::vector<uint64_t> lanes;
  for (int i = 1; i <= options_.stores; ++i) {
    lanes.push_back(static_cast<uint64_t>(i));
    timeline_->AddLane(static_cast<uint64_t>(i));
  }
  transport_.set_timeline(timeline_, lanes, [this](uint64_t store) { return IsRunning(store); });
  tl_->hook = rt_.AddAfterTaskHook([this](const runtime::QueueId& q, const std::string&) {
    if (q.store_id != 0) tlAfterTask(q.store_id);
  });
  const runner::RegionTaskFaults& f = options_.region_faults;
  if (f.gen_fail_percent > 0 || f.gen_delay_percent > 0) {
    timeline_->BeginRegion(0, "slow-worker",
                           "region workers: " + std::to_string(f.gen_fail_percent) +
                               "% of snapshot generations fail, " +
                               std::to_string(f.gen_delay_percent) + "% are late (" +
                               std::to_string(f.gen_delay_min / 1000) + ".." +
                               std::to_string(f.gen_delay_max / 1000) + " ms)",
                           lanes);
  }
}

void Cluster::tlEnd() {
  rt_.RemoveAfterTaskHook(tl_->hook);
  transport_.set_timeline(nullptr, {}, nullptr);
  timeline::EndRun(timeline_);
  timeline_ = nullptr;
}

void Cluster::tlAfterTask(uint64_t store_id) {
  const timeline::Time t = rt_.Now();
  TimelineState::Store& st = tl_->stores[store_id];
  RaftStore* store = GetStore(store_id);
  if (store == nullptr) return;  // down: recorded when it stopped
  if (const runner::RegionTaskHandler* w = store->region_worker()) {
    if (w->generations_scheduled() > st.gen_scheduled) {
      timeline_->AddMark(t, store_id, "snapshot", "snapshot generation requested (RegionTaskGen)");
    }
    if (w->snapshots_generated() > st.generated) {
      timeline_->AddMark(t, store_id, "snapshot", "snapshot generated");
    }
    if (w->generations_failed() > st.gen_failed) {
      timeline_->AddMark(t, store_id, "snapshot", "snapshot generation failed");
    }
    if (w->snapshots_applied() > st.applied) {
      timeline_->AddMark(t, store_id, "snapshot", "snapshot applied (RegionTaskApply)");
    }
    if (w->applies_failed() > st.apply_failed) {
      timeline_->AddMark(t, store_id, "snapshot", "snapshot apply failed");
    }
    st.gen_scheduled = w->generations_scheduled();
    st.generated = w->snapshots_generated();
    st.gen_failed = w->generations_failed();
    st.applied = w->snapshots_applied();
    st.apply_failed = w->applies_failed();
  }
  if (const runner::RaftLogGCTaskHandler* gc = store->raftlog_gc_worker()) {
    if (gc->tasks_handled() > st.gc_tasks) {
      timeline_->AddMark(t, store_id, "gc",
                         "raftlog-gc deleted " +
                             std::to_string(gc->entries_removed() - st.gc_removed) + " entries");
    }
    st.gc_tasks = gc->tasks_handled();
    st.gc_removed = gc->entries_removed();
  }
  Peer* p = GetPeer(store_id, region_.id());
  if (p == nullptr) return;
  const raft::Raft& r = *p->raft_group->raft;
  timeline::LaneState s;
  s.role = Role(r.state);
  s.term = r.term;
  // Lanes are stores: name the voted-for and leading peers by their stores.
  auto store_of = [this](uint64_t peer_id) -> uint64_t {
    for (const metapb::Peer& p : region_.peers()) {
      if (p.id() == peer_id) return p.store_id();
    }
    return peer_id;
  };
  s.vote = r.vote == 0 ? 0 : store_of(r.vote);
  s.lead = r.lead == 0 ? 0 : store_of(r.lead);
  s.last = r.raft_log.LastIndex();
  s.commit = r.raft_log.committed;
  s.applied = p->peer_storage->AppliedIndex();
  s.truncated = p->peer_storage->TruncatedIndex();
  s.first = s.truncated + 1;
  MarkCompactLogProposals(*timeline_, t, store_id, r, st.scanned);
  if (st.truncated != 0 && s.truncated > st.truncated) {
    timeline_->AddMark(t, store_id, "compact",
                       "CompactLog applied: log truncated to " + std::to_string(s.truncated));
  }
  st.truncated = s.truncated;
  timeline_->State(t, store_id, s);
}

void Cluster::tlStopped(uint64_t store_id) {
  const timeline::Time t = rt_.Now();
  TimelineState::Store& st = tl_->stores[store_id];
  std::string why = "stopped by the test (StopServer)";
  if (crash_log_.size() > tl_->crashes_seen) {
    tl_->crashes_seen = crash_log_.size();
    why = "crash point: " + crash_log_.back();
    timeline_->AddMark(t, store_id, "crash", why);
  }
  if (st.down_region == 0) {
    st.down_region = timeline_->BeginRegion(
        t, "down", "store " + std::to_string(store_id) + " " + why, {store_id});
  }
  // Its workers start over when it restarts.
  const uint64_t truncated = st.truncated;
  const uint64_t down = st.down_region;
  st = TimelineState::Store{};
  st.truncated = truncated;
  st.down_region = down;
  timeline::LaneState s;
  s.role = "down";
  timeline_->State(t, store_id, s);
  timeline_->DropInFlightTo(t, store_id, "receiver down");
}

void Cluster::tlStarted(uint64_t store_id) {
  const timeline::Time t = rt_.Now();
  TimelineState::Store& st = tl_->stores[store_id];
  if (st.down_region != 0) {
    timeline_->EndRegion(t, st.down_region);
    st.down_region = 0;
    timeline_->AddMark(t, store_id, "restart", "store " + std::to_string(store_id) + " restarts");
  }
  tlAfterTask(store_id);
}

void RecordLinearizability(Cluster& cluster, const LinearizabilityResult& result) {
  timeline::Recorder* rec = cluster.timeline();
  if (rec == nullptr || result.ok) return;
  // The explanation's first lines say what went wrong; the whole of it goes with the failure.
  std::string note = result.explanation.substr(0, result.explanation.find('\n', 200));
  for (const timeline::ClientOp& op : rec->ops()) {
    if (op.key == result.key) rec->Highlight(op.id, note);
  }
  rec->Fail(cluster.rt().Now(),
            "not linearizable: key \"" + result.key + "\"" +
                (result.gave_up ? " (or too hard to check)" : ""),
            result.explanation);
}

}  // namespace raftstore::testing
