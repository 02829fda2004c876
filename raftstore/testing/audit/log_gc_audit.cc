#include "raftstore/testing/audit/log_gc_audit.h"

#include <algorithm>
#include <cstdio>

#include "kv/engine_util/cf.h"
#include "kv/engine_util/cf_iterator.h"
#include "raft/raft.h"
#include "raftstore/meta/keys.h"
#include "raftstore/meta/values.h"

namespace raftstore::testing::audit {

namespace {

constexpr size_t kMaxFailures = 5;
constexpr uint64_t kFullScanEvery = 16;

std::string Seconds(runtime::Micros t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f s", static_cast<double>(t) / 1e6);
  return buf;
}

std::string Where(uint64_t store_id, uint64_t region_id) {
  return "store " + std::to_string(store_id) + ", region " + std::to_string(region_id);
}

}  // namespace

bool ReadLogGcSample(Cluster& cluster, uint64_t store_id, uint64_t region_id, LogGcSample* out,
                     uint64_t scan_from) {
  Peer* p = cluster.GetPeer(store_id, region_id);
  if (p == nullptr) return false;
  kv::Engines& e = cluster.engines(store_id);
  auto apply = meta::GetApplyState(*e.kv, region_id);
  if (!apply.ok() || !apply.value().has_value()) return false;
  *out = LogGcSample{};
  out->applied = apply.value()->applied_index();
  out->truncated = apply.value()->truncated_state().index();
  out->truncated_term = apply.value()->truncated_state().term();

  // The region's log keys: RaftLogKeyPrefix(region) followed by a big-endian index, so they
  // are contiguous and sorted by index in the raft engine.
  auto it = e.raft->NewIterator(kv::kCfRaft);
  if (!it.ok()) return false;
  for ((*it)->Seek(meta::RaftLogKey(region_id, scan_from)); (*it)->Valid(); (*it)->Next()) {
    uint64_t rid = 0, index = 0;
    if (!meta::DecodeRaftLogKey((*it)->key(), &rid, &index) || rid != region_id) break;
    if (out->engine_entries == 0) out->engine_first = index;
    out->engine_last = index;
    ++out->engine_entries;
    if (index <= out->truncated) ++out->engine_compacted;
  }

  const raft::RaftLog& log = p->raft_group->raft->raft_log;
  out->memory_entries = log.entries.size();
  // Only the fields every RaftLog has (the student's header declares no first index).
  out->memory_first = log.entries.empty() ? 0 : log.entries.front().index();
  out->last_index = log.LastIndex();
  return true;
}

LogGcAudit::LogGcAudit(Cluster* cluster, uint64_t region_id, uint64_t gc_limit)
    : cluster_(cluster), region_id_(region_id), gc_limit_(gc_limit) {
  const Config& cfg = cluster->options().cfg;
  every_ = std::max<runtime::Micros>(1, cfg.raft_log_gc_tick_interval);
  // Why this window (see also Bound()): a leader decides at each GC tick, from its applied
  // index, to compact; the CompactLog it proposes is committed and applied on a connected
  // store within a heartbeat round, two if a round's messages are lost. So a correct store
  // holds at most the limit plus what the log grew by since a tick one such window ago.
  window_ = every_ + 2 * cfg.raft_base_tick_interval *
                         static_cast<runtime::Micros>(cfg.raft_heartbeat_ticks);
}

void LogGcAudit::fail(std::string what) {
  ++failures_total_;
  if (failures_.size() < kMaxFailures) failures_.push_back(std::move(what));
}

void LogGcAudit::OnStoreInput(uint64_t) { maybeSample(); }

void LogGcAudit::BeforeStop(uint64_t store_id) { sample(store_id, " (before a crash)"); }

void LogGcAudit::AfterStart(uint64_t store_id) { sample(store_id, " (after a restart)"); }

void LogGcAudit::maybeSample() {
  const runtime::Micros now = cluster_->rt().Now();
  if (now < next_sample_) return;
  next_sample_ = now + every_;
  sampleAll();
}

void LogGcAudit::noteGrowth(uint64_t highest) {
  highest_ever_ = std::max(highest_ever_, highest);
  const runtime::Micros now = cluster_->rt().Now();
  highest_.emplace_back(now, highest_ever_);
  // Keep the last sample at or before now - window as the front: the growth measured spans
  // at least a whole window.
  while (highest_.size() >= 2 && highest_[1].first <= now - window_) highest_.pop_front();
  peak_growth_ = std::max(peak_growth_, highest_ever_ - highest_.front().second);
}

void LogGcAudit::sampleAll(const char* when) {
  uint64_t highest = 0;
  for (uint64_t id : cluster_->StoreIds()) {
    Peer* p = cluster_->GetPeer(id, region_id_);
    if (p != nullptr) highest = std::max(highest, p->raft_group->raft->raft_log.LastIndex());
  }
  noteGrowth(highest);
  for (uint64_t id : cluster_->StoreIds()) sample(id, when);
}

void LogGcAudit::sample(uint64_t store_id, const char* when) {
  if (!cluster_->IsRunning(store_id)) return;
  PerStore& ps = stores_[store_id];
  // Every kFullScanEvery-th sample of a store (and around crashes and restarts) counts from
  // index 0, in case something wrote below where the previous sample started.
  const bool full = *when != '\0' || ps.samples % kFullScanEvery == 0;
  LogGcSample s;
  if (!ReadLogGcSample(*cluster_, store_id, region_id_, &s, full ? 0 : ps.scan_from)) return;
  ++ps.samples;
  ++samples_;
  const std::string at = " at " + Seconds(cluster_->rt().Now()) + when;
  // Deleted log entries stay in RocksDB's memtable under range tombstones, and an iterator
  // walks over every one of them: counting from index 0 each time costs as much as the whole
  // history of the log. So each sample starts where the previous one found the first key (or,
  // with none left, after the truncated index): nothing writes a log entry below those (Append
  // skips compacted indexes, a snapshot's log starts after it); now and then a full scan makes
  // sure.
  ps.scan_from = s.engine_entries > 0 ? s.engine_first : s.truncated + 1;

  // The truncated state only moves forward: CompactLog only forward, a snapshot only to an
  // index past everything applied, a restart reads back what was written.
  if (ps.seen && (s.truncated < ps.truncated ||
                  (s.truncated == ps.truncated && s.truncated_term != ps.truncated_term))) {
    fail(Where(store_id, region_id_) + ": the persisted truncated state went back from index " +
         std::to_string(ps.truncated) + " (term " + std::to_string(ps.truncated_term) +
         ") to index " + std::to_string(s.truncated) + " (term " +
         std::to_string(s.truncated_term) + ")" + at + " (applied index " +
         std::to_string(s.applied) +
         "): entries the log already gave up count as present again (a CompactLog must only "
         "move the truncated state forward: an older one, e.g. proposed before a snapshot "
         "moved the log's start past it, changes nothing)");
  }
  ps.seen = true;
  ps.truncated = s.truncated;
  ps.truncated_term = s.truncated_term;

  const uint64_t bound = Bound();
  max_engine_ = std::max(max_engine_, s.engine_entries);
  max_memory_ = std::max(max_memory_, s.memory_entries);
  if (bound > 0) {
    max_percent_ =
        std::max(max_percent_, 100 * std::max(s.engine_entries, s.memory_entries) / bound);
  }
  auto figures = [&] {
    return "(the bound is 2 * (gc limit " + std::to_string(gc_limit_) + " + " +
           std::to_string(peak_growth_) + ", the most the log grew by in " + Seconds(window_) +
           ") = " + std::to_string(bound) + "; applied index " + std::to_string(s.applied) +
           ", truncated index " + std::to_string(s.truncated) + ", last index " +
           std::to_string(s.last_index) + ")";
  };
  bool& engine_over = over_[{store_id, 0}];
  if (s.engine_entries > bound) {
    if (!engine_over) {
      fail(Where(store_id, region_id_) + ": the raft engine holds " +
           std::to_string(s.engine_entries) + " log entries (indices " +
           std::to_string(s.engine_first) + ".." + std::to_string(s.engine_last) + ")" + at +
           ", more than the log GC bound " + figures() + "; " + std::to_string(s.engine_compacted) +
           " of them are at or below the truncated index: compacted entries must be deleted "
           "from the raft engine (ScheduleCompactLog after applying CompactLog)");
    }
    engine_over = true;
  } else {
    engine_over = false;
  }
  bool& memory_over = over_[{store_id, 1}];
  if (s.memory_entries > bound) {
    if (!memory_over) {
      const uint64_t below = s.memory_first > 0 && s.truncated >= s.memory_first
                                 ? std::min(s.truncated - s.memory_first + 1, s.memory_entries)
                                 : 0;
      fail(Where(store_id, region_id_) + ": Raft's in-memory log holds " +
           std::to_string(s.memory_entries) + " entries (from index " +
           std::to_string(s.memory_first) + ")" + at + ", more than the log GC bound " + figures() +
           "; " + std::to_string(below) +
           " of them are at or below the truncated index: the RaftLog must drop the entries "
           "storage compacted (RaftLog::maybeCompact, after Advance)");
    }
    memory_over = true;
  } else {
    memory_over = false;
  }
}

::testing::AssertionResult LogGcAudit::Check() {
  sampleAll(" (at the check)");
  if (failures_.empty()) return ::testing::AssertionSuccess();
  auto f = ::testing::AssertionFailure();
  f << "log GC audit:";
  for (const std::string& s : failures_) f << "\n  " << s;
  if (failures_total_ > failures_.size()) {
    f << "\n  ... (" << failures_total_ - failures_.size() << " more)";
  }
  f << "\n  peers: " << cluster_->DescribePeers() << cluster_->SeedNote();
  return f;
}

std::string LogGcAudit::Describe() const {
  return "log GC: " + std::to_string(samples_) + " samples, at most " +
         std::to_string(max_engine_) + " entries in a raft engine and " +
         std::to_string(max_memory_) + " in memory (bound 2 * (" + std::to_string(gc_limit_) +
         " + " + std::to_string(peak_growth_) + ") = " + std::to_string(Bound()) + ", " +
         std::to_string(max_percent_) + "% used at most), truncated state never went back";
}

}  // namespace raftstore::testing::audit
