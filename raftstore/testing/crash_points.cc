#include "raftstore/testing/crash_points.h"

#include "proto/eraftpb.pb.h"
#include "raftstore/testing/cluster.h"

namespace raftstore::testing {

namespace {

// The scheduler's timers run on a queue of no store, so a crash point never fires in them.
const runtime::QueueId kSchedulerQueue{0, "crash-scheduler"};

runtime::Micros Draw(runtime::Runtime& rt, runtime::Micros lo, runtime::Micros hi) {
  return hi <= lo ? lo : lo + rt.Random(hi - lo + 1);
}

std::string Ordinal(uint64_t n) {
  const char* suffix = (n % 100 >= 11 && n % 100 <= 13) ? "th"
                       : n % 10 == 1                    ? "st"
                       : n % 10 == 2                    ? "nd"
                       : n % 10 == 3                    ? "rd"
                                                        : "th";
  return std::to_string(n) + suffix;
}

}  // namespace

std::string CrashEvent::Describe() const {
  if (kind == Kind::kPreempted) {
    std::string out = "right after its other workers overtook its task (ran";
    if (preempted_by != nullptr) {
      for (size_t i = 0; i < preempted_by->size(); ++i) {
        out += (i == 0 ? " " : "; ") + (*preempted_by)[i];
      }
    }
    return out + ") " + overtaken;
  }
  std::string out = done ? "after " : "before ";
  if (kind == Kind::kWrite) {
    out += "its " + std::string(what);
    if (ops > 0) out += " of " + std::to_string(ops) + " ops";
    out += std::string(" to the ") + kv::EngineKindName(engine) + " engine";
  } else {
    out += "sending " + (msg == nullptr
                             ? std::string("a message")
                             : eraftpb::MessageType_Name(msg->message().msg_type()) +
                                   (msg->has_snap_chunk() ? " (snapshot chunk)" : "") +
                                   " to store " + std::to_string(msg->to_peer().store_id()));
  }
  if (queue != nullptr) out += " (in " + queue->ToString() + ")";
  return out;
}

bool CrashWhen::ShouldCrash(const CrashEvent& event) {
  if (fired_ || !when_(event)) return false;
  fired_ = true;
  return true;
}

CrashScheduler::CrashScheduler(Cluster* cluster, CrashScheduleOptions options)
    : cluster_(cluster), options_(options) {}

CrashScheduler::~CrashScheduler() {
  if (cluster_->crash_trigger() == this) cluster_->SetCrashTrigger(nullptr);
}

void CrashScheduler::Start() {
  cluster_->SetCrashTrigger(this);
  on_ = true;
  armLater();
}

void CrashScheduler::armLater() {
  const uint64_t epoch = epoch_;
  runtime::SimRuntime& rt = cluster_->rt();
  rt.StartTimer(kSchedulerQueue, Draw(rt, options_.arm_min, options_.arm_max), "arm crash point",
                [this, epoch] {
                  if (epoch == epoch_ && on_) arm();
                });
}

void CrashScheduler::arm() {
  runtime::SimRuntime& rt = cluster_->rt();
  std::vector<uint64_t> up;
  for (uint64_t id : cluster_->StoreIds()) {
    if (cluster_->IsRunning(id) && !down_.count(id)) up.push_back(id);
  }
  if (up.empty()) return armLater();
  Armed a;
  a.store_id = up[rt.Random(up.size())];
  if (options_.preempt_percent > 0 && rt.Random(100) < options_.preempt_percent) {
    // Preemptions are rare (a worker must have work): the first one.
    a.kind = CrashEvent::Kind::kPreempted;
    a.done = true;
    a.remaining = 1;
    pending_ = "store " + std::to_string(a.store_id) + " at its next preemption point";
    armed_ = a;
    return;
  }
  a.kind =
      rt.Random(100) < options_.send_percent ? CrashEvent::Kind::kSend : CrashEvent::Kind::kWrite;
  a.done = rt.Random(2) == 1;
  a.remaining = 1 + rt.Random(options_.max_nth);
  pending_ = "store " + std::to_string(a.store_id) + " at its " + Ordinal(a.remaining) +
             (a.kind == CrashEvent::Kind::kSend ? " send" : " engine write") +
             (a.done ? " (after it)" : " (before it)");
  armed_ = a;
}

bool CrashScheduler::ShouldCrash(const CrashEvent& event) {
  if (!armed_ || event.store_id != armed_->store_id || event.kind != armed_->kind ||
      event.done != armed_->done) {
    return false;
  }
  if (--armed_->remaining > 0) return false;
  armed_.reset();
  return true;
}

void CrashScheduler::AfterCrash(uint64_t store_id) {
  runtime::SimRuntime& rt = cluster_->rt();
  const std::string& where =
      cluster_->crash_log().empty() ? pending_ : cluster_->crash_log().back();
  crashes_.push_back(where + " [chosen: " + pending_ + "]");
  down_.insert(store_id);
  const uint64_t epoch = epoch_;
  rt.StartTimer(kSchedulerQueue, Draw(rt, options_.down_min, options_.down_max), "restart store",
                [this, epoch, store_id] {
                  if (epoch != epoch_) return;
                  restart(store_id);
                  if (on_) armLater();
                });
}

void CrashScheduler::restart(uint64_t store_id) {
  if (!down_.erase(store_id)) return;
  if (auto r = cluster_->StartServer(store_id); !r && failure_.empty()) {
    failure_ = "store " + std::to_string(store_id) + " could not restart after it crashed (" +
               (crashes_.empty() ? std::string("?") : crashes_.back()) + "): " + r.message();
  }
}

::testing::AssertionResult CrashScheduler::Stop() {
  on_ = false;
  ++epoch_;
  armed_.reset();
  for (uint64_t id : std::set<uint64_t>(down_)) restart(id);
  if (failure_.empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << failure_ << cluster_->SeedNote();
}

std::string CrashScheduler::Describe() const {
  std::string out = std::to_string(crashes_.size()) + " crash points fired";
  for (size_t i = 0; i < crashes_.size(); ++i) {
    if (i == 8 && crashes_.size() > 10) {
      out += "; ... " + std::to_string(crashes_.size() - 9) + " more ...";
      i = crashes_.size() - 1;
    }
    out += (i == 0 ? ": " : "; ") + crashes_[i];
  }
  return out;
}

}  // namespace raftstore::testing
