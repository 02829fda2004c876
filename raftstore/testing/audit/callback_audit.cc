#include "raftstore/testing/audit/callback_audit.h"

#include <algorithm>

#include "raftstore/testing/audit/replica_check.h"
#include "raftstore/util/cmd_resp.h"

namespace raftstore::testing::audit {

namespace {

std::string At(runtime::Micros t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f s", static_cast<double>(t) / 1e6);
  return buf;
}

std::string DescribeResponse(const raft_cmdpb::RaftCmdResponse& resp) {
  if (resp.header().has_error()) return "error: " + resp.header().error().message();
  return "ok (" + std::to_string(resp.responses_size()) + " responses)";
}

constexpr size_t kMaxListed = 5;

}  // namespace

std::string DescribeCommand(const raft_cmdpb::RaftCmdRequest& cmd) {
  std::string out;
  for (const raft_cmdpb::Request& r : cmd.requests()) {
    if (!out.empty()) out += ", ";
    switch (r.cmd_type()) {
      case raft_cmdpb::Put:
        out += "Put(" + r.put().cf() + ", " + DescribeBytes(r.put().key()) + ")";
        break;
      case raft_cmdpb::Delete:
        out += "Delete(" + r.delete_().cf() + ", " + DescribeBytes(r.delete_().key()) + ")";
        break;
      case raft_cmdpb::Get:
        out += "Get(" + r.get().cf() + ", " + DescribeBytes(r.get().key()) + ")";
        break;
      case raft_cmdpb::Snap:
        out += "Snap";
        break;
      default:
        out += raft_cmdpb::CmdType_Name(r.cmd_type());
    }
  }
  if (cmd.has_admin_request()) {
    out +=
        (out.empty() ? "" : ", ") + raft_cmdpb::AdminCmdType_Name(cmd.admin_request().cmd_type());
  }
  return out.empty() ? "(empty command)" : out;
}

class CallbackAudit::Watcher : public CallbackWatcher {
 public:
  Watcher(std::shared_ptr<State> state, uint64_t id) : state_(std::move(state)), id_(id) {}

  void OnDone(const raft_cmdpb::RaftCmdResponse& resp, bool /*effective*/) override {
    Record& r = state_->live.at(id_);
    ++r.answers;
    const std::string now = At(state_->cluster->rt().Now());
    if (r.answers == 1) {
      r.first_answer = DescribeResponse(resp) + " at " + now;
    } else {
      state_->failures.push_back(
          "the callback of " + r.what + " (sent to store " + std::to_string(r.store_id) + " at " +
          At(r.sent) + ") was answered " + std::to_string(r.answers) + " times: first " +
          r.first_answer + ", again " + DescribeResponse(resp) + " at " + now);
    }
  }

  ~Watcher() override {
    auto it = state_->live.find(id_);
    if (it == state_->live.end()) return;
    const Record& r = it->second;
    if (r.answers == 0 && !state_->stopping.count(r.store_id)) {
      state_->failures.push_back(
          "the callback of " + r.what + " (sent to store " + std::to_string(r.store_id) + " at " +
          At(r.sent) + ") was dropped without an answer at " + At(state_->cluster->rt().Now()) +
          " while the store kept running: its client waits for nothing");
    }
    state_->live.erase(it);
  }

 private:
  std::shared_ptr<State> state_;
  uint64_t id_;
};

CallbackAudit::CallbackAudit(Cluster* cluster) : state_(std::make_shared<State>()) {
  state_->cluster = cluster;
}

void CallbackAudit::OnCommand(uint64_t store_id, const raft_cmdpb::RaftCmdRequest& cmd,
                              Callback& cb) {
  const uint64_t id = state_->next_id++;
  Record& r = state_->live[id];
  r.store_id = store_id;
  r.what = DescribeCommand(cmd);
  r.sent = state_->cluster->rt().Now();
  auto watcher = std::make_shared<Watcher>(state_, id);
  r.watcher = watcher.get();
  cb.Watch(std::move(watcher));
}

void CallbackAudit::BeforeStop(uint64_t store_id) { state_->stopping.insert(store_id); }
void CallbackAudit::AfterStop(uint64_t store_id) { state_->stopping.erase(store_id); }

::testing::AssertionResult CallbackAudit::Failures() const {
  if (state_->failures.empty()) return ::testing::AssertionSuccess();
  auto f = ::testing::AssertionFailure();
  f << "callback audit: " << state_->failures.size() << " callback(s) not answered exactly once";
  for (size_t i = 0; i < state_->failures.size() && i < kMaxListed; ++i) {
    f << "\n  " << state_->failures[i];
  }
  if (state_->failures.size() > kMaxListed) f << "\n  ...";
  f << state_->cluster->SeedNote();
  return f;
}

::testing::AssertionResult CallbackAudit::CheckAllAnswered(uint64_t region_id) {
  Cluster& cluster = *state_->cluster;
  if (auto r = Failures(); !r) return r;
  // The highest index a pending proposal waits for: the log must get there for the proposal to
  // learn its fate (applied, or overwritten and answered StaleCommand). A proposal whose index
  // its store passed without applying it (a snapshot jumped over it, lab 2C) learns it when the
  // store applies its next entry.
  auto pending_index = [&] {
    uint64_t max_index = 0;
    for (uint64_t id : cluster.StoreIds()) {
      Peer* p = cluster.GetPeer(id, region_id);
      if (p == nullptr) continue;
      const uint64_t applied = p->peer_storage->AppliedIndex();
      for (const Proposal& prop : p->proposals) {
        if (prop.cb.watcher() == nullptr) continue;
        max_index = std::max(max_index, prop.index <= applied ? applied + 1 : prop.index);
      }
    }
    return max_index;
  };
  for (int filler = 0; filler < 20; ++filler) {
    auto leader = cluster.LeaderOfRegion(region_id);
    if (!leader) break;
    const uint64_t committed =
        cluster.GetPeer(leader->store_id(), region_id)->raft_group->raft->raft_log.committed;
    if (pending_index() <= committed) break;
    (void)cluster.Request(
        {.requests = {PutRequest("default", "audit filler " + std::to_string(filler), "x")},
         .scan = std::nullopt,
         .writes = true,
         .what = "audit filler"});
  }
  if (auto r = WaitQuiescent(cluster, region_id); !r) return r;
  if (auto r = Failures(); !r) return r;
  std::vector<std::string> pending;
  for (const auto& [id, r] : state_->live) {
    if (r.answers > 0 || !cluster.IsRunning(r.store_id)) continue;
    std::string where = "held outside the peer's proposals";
    if (Peer* p = cluster.GetPeer(r.store_id, region_id)) {
      for (const Proposal& prop : p->proposals) {
        if (prop.cb.watcher() == r.watcher) {
          where = "proposal at index " + std::to_string(prop.index) + " term " +
                  std::to_string(prop.term) + "; the store applied up to " +
                  std::to_string(p->peer_storage->AppliedIndex());
        }
      }
    }
    pending.push_back(r.what + " (sent to store " + std::to_string(r.store_id) + " at " +
                      At(r.sent) + "; " + where + ")");
  }
  if (pending.empty()) return ::testing::AssertionSuccess();
  auto f = ::testing::AssertionFailure();
  f << "callback audit: " << pending.size()
    << " callback(s) never answered, though every store applied the leader's whole log";
  for (size_t i = 0; i < pending.size() && i < kMaxListed; ++i) f << "\n  " << pending[i];
  if (pending.size() > kMaxListed) f << "\n  ...";
  f << "\n  peers: " << cluster.DescribePeers() << cluster.SeedNote();
  return f;
}

}  // namespace raftstore::testing::audit
