// The Raft simulator's timeline (timeline/recorder.h): its clock, its network faults as
// regions, its ClusterEvents as marks and regions, and the safety checker's violation as the
// failure. Nothing here runs unless timelines are on (timeline_ non-null). The per-node state
// (TlState) lives in cluster.cc, next to the node it reads.

#include <algorithm>
#include <sstream>

#include "raft/sim/cluster.h"

namespace raft::sim {

timeline::Time Cluster::TlNow() {
  if (tl_tick_ != now_) {
    tl_tick_ = now_;
    tl_rank_ = 0;
  }
  return now_ * 1000 + std::min<uint64_t>(tl_rank_++, 999);
}

void Cluster::TlFailure() {
  if (tl_failed_ || !failed()) return;
  tl_failed_ = true;
  const Violation& v = *violation();
  timeline_->Fail(TlNow(), v.property + " violated", v.ToString(), v.nodes);
}

void Cluster::SetFaults(const NetworkFaults& faults) {
  network_.set_faults(faults);
  if (!timeline_) return;
  if (auto it = tl_partition_.find(1); it != tl_partition_.end()) {
    timeline_->EndRegion(TlNow(), it->second);
    tl_partition_.erase(it);
  }
  if (faults.drop == 0 && faults.duplicate == 0 && faults.max_delay == 0 && !faults.reorder) return;
  std::ostringstream os;
  os << "network faults: drop " << faults.drop << ", duplicate " << faults.duplicate
     << ", max delay " << faults.max_delay << " ticks" << (faults.reorder ? ", reorder" : "");
  tl_partition_[1] = timeline_->BeginRegion(TlNow(), "filter", os.str(), ids());
}

// The cluster's notable moments as marks and regions of its timeline.
void Cluster::TlEvent(const ClusterEvent& e) {
  const timeline::Time t = TlNow();
  const std::string node = "node " + std::to_string(e.node);
  const std::string term = std::to_string(e.term);
  const std::string index = std::to_string(e.index);
  switch (e.type) {
    case ClusterEvent::Type::kCampaign:
      timeline_->AddMark(t, e.node, "election", node + " campaigns in term " + term);
      break;
    case ClusterEvent::Type::kLeaderElected:
      timeline_->AddMark(t, e.node, "election", node + " becomes leader of term " + term);
      break;
    case ClusterEvent::Type::kSteppedDown:
      timeline_->AddMark(t, e.node, "election", node + " steps down in term " + term);
      break;
    case ClusterEvent::Type::kSnapshotSent:
      timeline_->AddMark(t, e.node, "snapshot",
                         node + " sends node " + std::to_string(e.peer) + " a snapshot at " +
                             index + " (term " + term + ")");
      break;
    case ClusterEvent::Type::kSnapshotApplied:
      timeline_->AddMark(t, e.node, "snapshot",
                         node + " restores a snapshot at " + index + " (term " + term + ")");
      break;
    case ClusterEvent::Type::kCompacted:
      timeline_->AddMark(t, e.node, "compact",
                         node + " compacts its log: first index now " + index);
      break;
    case ClusterEvent::Type::kCrashed:
      timeline_->AddMark(t, e.node, "crash", node + " crashes");
      tl_down_[e.node] = timeline_->BeginRegion(t, "down", node + " down", {e.node});
      break;
    case ClusterEvent::Type::kRestarted:
      if (auto it = tl_down_.find(e.node); it != tl_down_.end()) {
        timeline_->EndRegion(t, it->second);
        tl_down_.erase(it);
      }
      timeline_->AddMark(t, e.node, "restart",
                         node + " restarts (term " + term + ", state machine at " + index + ")");
      break;
    case ClusterEvent::Type::kPartitioned:
    case ClusterEvent::Type::kHealed: {
      if (auto it = tl_partition_.find(0); it != tl_partition_.end()) {
        timeline_->EndRegion(t, it->second);
        tl_partition_.erase(it);
      }
      if (e.type == ClusterEvent::Type::kHealed || !network_.partitioned()) break;
      // Who is with whom now: the connected groups, in node order.
      std::vector<std::vector<uint64_t>> groups;
      for (uint64_t id : ids()) {
        auto g = std::find_if(groups.begin(), groups.end(), [&](const auto& members) {
          return network_.Connected(members.front(), id);
        });
        if (g == groups.end()) {
          groups.push_back({id});
        } else {
          g->push_back(id);
        }
      }
      std::vector<uint64_t> lanes;
      for (const auto& g : groups) {
        if (g.size() < ids().size()) lanes.insert(lanes.end(), g.begin(), g.end());
      }
      tl_partition_[0] =
          timeline_->BeginRegion(t, e.node != 0 ? "isolate" : "partition",
                                 (e.node != 0 ? "isolate " + node + ": " : "partition ") +
                                     network_.DescribePartition(ids()),
                                 lanes, groups);
      break;
    }
  }
}

}  // namespace raft::sim
