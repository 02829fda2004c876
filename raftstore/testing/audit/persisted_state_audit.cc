#include "raftstore/testing/audit/persisted_state_audit.h"

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
// Separates a problem's facts from its explanation: a failure message explains each kind of
// problem once.
constexpr char kHint[] = "\x1f ";
// After a snapshot a store's commit index jumps; the entries it skipped were never in its
// raft engine. Reading back at most this many indexes bounds the cost of the jump.
constexpr uint64_t kMaxRecordGap = 256;
// Between restarts the audit reads this many entries at each end of a long log.
constexpr uint64_t kEdge = 16;

std::string Seconds(runtime::Micros t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f s", static_cast<double>(t) / 1e6);
  return buf;
}

std::string N(uint64_t v) { return std::to_string(v); }

std::string Range(uint64_t lo, uint64_t hi) { return lo == hi ? N(lo) : N(lo) + ".." + N(hi); }

std::string DescribeRegion(const metapb::Region& r) {
  std::string out = "region " + N(r.id()) + " epoch (conf_ver " + N(r.region_epoch().conf_ver()) +
                    ", version " + N(r.region_epoch().version()) + "), peers [";
  for (int i = 0; i < r.peers_size(); ++i) {
    out += (i ? " " : "") + N(r.peers(i).id()) + "@" + N(r.peers(i).store_id());
  }
  return out + "]";
}

}  // namespace

PersistedStateAudit::PersistedStateAudit(Cluster* cluster, uint64_t region_id)
    : cluster_(cluster), region_id_(region_id) {
  // Bootstrap: every store's log starts committed at the initial index and term.
  committed_[meta::kRaftInitLogIndex] = Recorded{meta::kRaftInitLogTerm, 0, 0};
}

std::optional<uint64_t> PersistedStateAudit::CommittedTerm(uint64_t index) const {
  auto it = committed_.find(index);
  if (it == committed_.end()) return std::nullopt;
  return it->second.term;
}

std::string PersistedStateAudit::describeTerm(uint64_t index) const {
  auto it = committed_.find(index);
  if (it == committed_.end()) return "";
  if (it->second.store_id == 0) return "term " + N(it->second.term) + " (bootstrap)";
  return "term " + N(it->second.term) + " (as store " + N(it->second.store_id) +
         " had it committed at " + Seconds(it->second.time) + ")";
}

void PersistedStateAudit::fail(uint64_t store_id, const std::string& when,
                               const std::string& what) {
  ++failures_total_;
  if (failures_.size() >= kMaxFailures) return;
  std::string text = what;
  if (const size_t cut = text.find(kHint[0]); cut != std::string::npos) {
    const std::string hint = text.substr(cut + 2);
    text.resize(cut);
    text += hints_shown_.insert(hint).second ? " " + hint : " (explained above)";
  }
  failures_.push_back("store " + N(store_id) + ", region " + N(region_id_) + " (at " +
                      Seconds(cluster_->rt().Now()) + when + "): " + text);
  // `when`: "" or ", before it restarts", ...
}

bool PersistedStateAudit::read(uint64_t store_id, Persisted* out, std::string* why) {
  why->clear();
  kv::Engines& e = cluster_->engines(store_id);
  if (!e.kv || !e.raft || e.kv->closed() || e.raft->closed()) return false;
  auto region = meta::GetRegionLocalState(*e.kv, region_id_);
  if (!region.ok()) {
    *why = "RegionLocalState unreadable: " + region.status().ToString();
    return false;
  }
  if (!region.value().has_value()) return false;  // no peer of the region here
  out->region = *region.value();
  auto raft = meta::InitRaftLocalState(*e.raft, out->region.region());
  if (!raft.ok()) {
    *why = "RaftLocalState unreadable: " + raft.status().ToString();
    return false;
  }
  out->raft = std::move(raft).value();
  auto apply = meta::InitApplyState(*e.kv, out->region.region());
  if (!apply.ok()) {
    *why = "RaftApplyState unreadable: " + apply.status().ToString();
    return false;
  }
  out->apply = std::move(apply).value();
  return true;
}

void PersistedStateAudit::OnEngineWrite(uint64_t store_id, const kv::Engine& engine,
                                        const kv::Engine::WriteEvent& event) {
  if (!event.done || engine.kind() != kv::Engine::Kind::kRaft) return;
  recordCommitted(store_id);
}

void PersistedStateAudit::recordCommitted(uint64_t store_id) {
  // From the peer's Raft log rather than the engine: a read from a raft engine full of range
  // deletions is not cheap, and this runs at every raft engine write. A committed entry's term
  // is the same in memory, on disk and on every store.
  Peer* peer = cluster_->GetPeer(store_id, region_id_);
  if (peer == nullptr) return;
  const raft::RaftLog& log = peer->raft_group->raft->raft_log;
  const uint64_t commit = std::min(log.committed, log.LastIndex());
  uint64_t& upto = recorded_upto_[store_id];
  if (commit <= upto) return;
  const uint64_t from = std::max(upto + 1, commit > kMaxRecordGap ? commit - kMaxRecordGap + 1 : 1);
  for (uint64_t i = from; i <= commit; ++i) {
    // Another store recorded it: compare only the newest.
    if (i != commit && committed_.count(i)) continue;
    raft::Result<uint64_t> term_of = log.Term(i);
    if (!term_of.ok()) continue;  // came by snapshot, or compacted
    const uint64_t term = term_of.value();
    auto [it, inserted] = committed_.try_emplace(i, Recorded{term, store_id, cluster_->rt().Now()});
    if (!inserted && it->second.term != term) {
      fail(store_id, "",
           "its Raft log has entry " + N(i) + " of term " + N(term) +
               " at or below its commit index " + N(commit) + ", but entry " + N(i) +
               " was committed in " + describeTerm(i) +
               ": two different entries committed at one index (Raft's log matching or "
               "commit rule is broken)");
    }
  }
  upto = commit;
}

std::vector<std::string> PersistedStateAudit::checkDurable(
    uint64_t store_id, const Persisted& p, const std::vector<std::string>* preempted_by,
    bool full_scan) {
  std::vector<std::string> problems;
  kv::Engines& e = cluster_->engines(store_id);
  const uint64_t applied = p.apply.applied_index();
  const uint64_t truncated = p.apply.truncated_state().index();
  const uint64_t truncated_term = p.apply.truncated_state().term();
  uint64_t last = p.raft.last_index();
  uint64_t last_term = p.raft.last_term();
  uint64_t commit = p.raft.hard_state().commit();

  if (p.region.state() == raft_serverpb::Tombstone) {
    problems.push_back("RegionLocalState.state is Tombstone, but the peer is part of " +
                       DescribeRegion(p.region.region()) +
                       " (nothing in these labs removes a peer)");
  }
  if (p.region.region().id() != region_id_) {
    problems.push_back("RegionLocalState under region " + N(region_id_) + "'s key describes " +
                       DescribeRegion(p.region.region()));
  }
  if (applied < truncated) {
    problems.push_back("RaftApplyState.applied_index is " + N(applied) +
                       ", below truncated_state.index " + N(truncated) +
                       ": entries were compacted before they were applied (a CompactLog past "
                       "the applied index, or a snapshot's truncated state written without its "
                       "applied index)");
  }
  // The one repair PeerStorage::Create makes: a crash between the kv and raft batches of a
  // Ready that applied a snapshot.
  const bool snapshot_window = (last < applied || commit < applied) && applied == truncated &&
                               applied > meta::kRaftInitLogIndex;
  if (snapshot_window) {
    // The old log's entries past the snapshot stay until new appends overwrite them; a restart
    // does not know them (its last index is the snapshot's), so Append will not delete them.
    uint64_t& stale = stale_tail_upto_[store_id];
    stale = std::max(stale, p.raft.last_index());
    last = truncated;
    last_term = truncated_term;
    commit = truncated;
  }
  if (last < applied) {
    problems.push_back("RaftLocalState.last_index is " + N(last) +
                       ", but RaftApplyState.applied_index is " + N(applied) +
                       ": entries were applied before they were persisted in the raft engine "
                       "(SaveReadyState must write a Ready's entries before HandleRaftReady "
                       "applies its committed entries)");
  } else if (commit < applied) {
    problems.push_back("RaftLocalState.hard_state.commit is " + N(commit) +
                       ", but RaftApplyState.applied_index is " + N(applied) +
                       ": entries were applied before the commit index that allows it was "
                       "persisted (save the Ready's hard state before applying its committed "
                       "entries)");
  }

  // The log the raft state describes: every entry in (truncated, last], none past last.
  auto it = e.raft->NewIterator(kv::kCfRaft);
  if (!it.ok()) {
    problems.push_back("cannot read the raft engine: " + it.status().ToString());
    return problems;
  }
  kv::CfIterator& iter = *it.value();
  if (last > truncated) {
    // Walks [lo, hi]: `expect` ends at the first missing index (hi + 1: none missing).
    uint64_t expect = 0;
    uint64_t found_after_hole = 0;  // the next index present after a hole (0: none)
    std::optional<eraftpb::Entry> last_entry;
    auto walk = [&](uint64_t lo, uint64_t hi) {
      expect = lo;
      for (iter.Seek(meta::RaftLogKey(region_id_, lo)); iter.Valid(); iter.Next()) {
        uint64_t rid = 0, index = 0;
        if (!meta::DecodeRaftLogKey(iter.key(), &rid, &index) || rid != region_id_) break;
        if (index > hi) break;
        if (index != expect) {
          found_after_hole = index;
          break;
        }
        if (index == last) {
          eraftpb::Entry entry;
          if (entry.ParseFromArray(iter.value().data(), static_cast<int>(iter.value().size()))) {
            last_entry = std::move(entry);
          }
        }
        ++expect;
      }
      return expect > hi;
    };
    // A whole log can be long (lab 2B never compacts): between restarts only its two ends,
    // where entries are deleted (log GC) and appended.
    bool complete = true;
    if (full_scan || last - truncated <= 2 * kEdge) {
      complete = walk(truncated + 1, last);
    } else if ((complete = walk(truncated + 1, truncated + kEdge))) {
      complete = walk(last - kEdge + 1, last);
    }
    if (!complete) {
      const uint64_t hole_end = found_after_hole > 0 ? found_after_hole - 1 : last;
      std::string why =
          "entries " + Range(expect, hole_end) +
          " are missing from the raft engine, yet the persisted truncated index is " +
          N(truncated) + " (RaftApplyState) and the last index " + N(last) +
          " (RaftLocalState): a restart reads entries (truncated, last] back and cannot." +
          std::string(kHint);
      std::string gc;
      if (preempted_by != nullptr) {
        for (const std::string& t : *preempted_by) {
          if (t.find("raftlog-gc") != std::string::npos) gc = t;
        }
      }
      if (!gc.empty()) {
        why +=
            "The raftlog-gc task that just overtook the raft worker deleted them before the apply "
            "state with the new truncated index was "
            "written: on a real store that worker is another thread and may run the moment "
            "the task is posted. Schedule the gc task (ScheduleCompactLog) only after the "
            "write that persists the new truncated state.";
      } else {
        why +=
            "Either they were deleted before the truncated state that allows it was persisted "
            "(a raftlog-gc task scheduled before the apply state's write?), or the raft state's "
            "last index was persisted without its entries (one raft write batch for both).";
      }
      problems.push_back(why);
    } else if (last_entry && last_entry->term() != last_term) {
      problems.push_back("RaftLocalState.last_term is " + N(last_term) + ", but the last entry " +
                         N(last) + " in the raft engine has term " + N(last_entry->term()) +
                         ": the raft state must be written with the entries it describes "
                         "(last_term: the term of the last entry appended)");
    }
  } else if (last == truncated && last_term != truncated_term) {
    problems.push_back("RaftLocalState.last_term is " + N(last_term) +
                       ", but the log ends at the truncated index " + N(truncated) +
                       " whose term (RaftApplyState.truncated_state.term) is " + N(truncated_term) +
                       ": one of them lies");
  }
  if (!snapshot_window) {
    iter.Seek(meta::RaftLogKey(region_id_, last + 1));
    uint64_t rid = 0, index = 0;
    if (iter.Valid() && meta::DecodeRaftLogKey(iter.key(), &rid, &index) && rid == region_id_ &&
        index > stale_tail_upto_[store_id]) {
      problems.push_back(
          "the raft engine holds entry " + N(index) + " past RaftLocalState.last_index " + N(last) +
          ": entries of a log a new leader replaced must be deleted when the new ones are "
          "appended (PeerStorage::Append: delete from the new last index + 1 to the old one), "
          "or the raft state was written without the entries it should describe");
    }
  }

  // The truncated state's term: the term the entry at that index had.
  std::optional<uint64_t> actual;
  std::string source;
  if (auto rec = CommittedTerm(truncated)) {
    actual = *rec;
    source = "entry " + N(truncated) + " was written in " + describeTerm(truncated);
  } else if (truncated <= last) {
    auto entry = meta::GetRaftEntry(*e.raft, region_id_, truncated);
    if (entry.ok() && entry.value().has_value()) {
      actual = entry.value()->term();
      source = "the raft engine still holds entry " + N(truncated) + " with term " + N(*actual);
    }
  }
  if (!actual) {
    if (auto rec = CommittedTerm(truncated)) {
      actual = *rec;
      source = "entry " + N(truncated) + " was written in " + describeTerm(truncated);
    }
  }
  if (actual && *actual != truncated_term) {
    std::string probably;
    const uint64_t current = p.raft.hard_state().term();
    if (truncated_term == current) {
      probably = "CompactLog set truncated_state.term to the current term " + N(current) +
                 " rather than the compacted entry's term " + N(*actual) +
                 " (they differ once the leader changed): take it from the CompactLog "
                 "request's compact_term, which the proposing leader read from its log";
    } else if (truncated_term == last_term) {
      probably = "truncated_state.term was set to the term of the last log entry (" + N(last_term) +
                 ") instead of the term of entry " + N(truncated);
    } else if (CommittedTerm(truncated + 1) == truncated_term ||
               (truncated > 0 && CommittedTerm(truncated - 1) == truncated_term)) {
      probably =
          "truncated_state.term is the term of a neighbouring entry: an off-by-one "
          "between the compacted index and the index its term was read at";
    } else {
      probably =
          "truncated_state.term must be the term of the entry at truncated_state.index "
          "(compact_term of the CompactLog, or the snapshot's metadata term)";
    }
    problems.push_back("RaftApplyState.truncated_state is index " + N(truncated) + " term " +
                       N(truncated_term) + " (persisted), but " + source + "." + kHint + probably +
                       ". Raft answers Term(" + N(truncated) +
                       ") with it, so the leader's "
                       "MsgAppend consistency checks and snapshots carry a term the entry "
                       "never had");
  }
  return problems;
}

std::vector<std::string> PersistedStateAudit::sample(uint64_t store_id, const std::string& when,
                                                     bool between_tasks,
                                                     const std::vector<std::string>* preempted_by,
                                                     bool full_scan) {
  if (sampling_) return {};
  sampling_ = true;
  struct Reset {
    bool& flag;
    ~Reset() { flag = false; }
  } reset{sampling_};
  Persisted p;
  std::string why;
  if (!read(store_id, &p, &why)) {
    if (why.empty()) return {};
    fail(store_id, when, why);
    return {why};
  }
  ++samples_;
  if (preempted_by != nullptr) ++preempted_samples_;
  std::vector<std::string> problems = checkDurable(store_id, p, preempted_by, full_scan);
  Peer* peer = between_tasks ? cluster_->GetPeer(store_id, region_id_) : nullptr;
  if (peer != nullptr) {
    const PeerStorage& ps = *peer->peer_storage;
    if (ps.AppliedIndex() != p.apply.applied_index()) {
      problems.push_back(
          "the peer's applied index is " + N(ps.AppliedIndex()) +
          " in memory, but RaftApplyState.applied_index on disk is " + N(p.apply.applied_index()) +
          (ps.AppliedIndex() > p.apply.applied_index()
               ? ": entries were applied (and maybe answered) without their apply state being "
                 "written; a crash now would apply them again (write the apply state in the "
                 "same kv batch as the entry's changes)"
               : ": the disk is ahead of memory"));
    }
    if (ps.TruncatedIndex() != p.apply.truncated_state().index() ||
        ps.TruncatedTerm() != p.apply.truncated_state().term()) {
      problems.push_back(
          "the peer's truncated state is index " + N(ps.TruncatedIndex()) + " term " +
          N(ps.TruncatedTerm()) + " in memory, but RaftApplyState.truncated_state on disk is " +
          "index " + N(p.apply.truncated_state().index()) + " term " +
          N(p.apply.truncated_state().term()) +
          ": CompactLog (or a snapshot) changed one without the other (write the apply state "
          "after changing the truncated state, in the same task)");
    }
    if (peer->Region().SerializeAsString() != p.region.region().SerializeAsString()) {
      problems.push_back("RegionLocalState.region on disk is " + DescribeRegion(p.region.region()) +
                         ", but the peer's region is " + DescribeRegion(peer->Region()) +
                         ": write the region state whenever the region changes (a snapshot's "
                         "region: meta::WriteRegionState in ApplySnapshot's kv batch)");
    }
  }
  for (std::string& problem : problems) {
    fail(store_id, when, problem);
    if (const size_t cut = problem.find(kHint[0]); cut != std::string::npos) problem.erase(cut, 1);
  }
  return problems;
}

void PersistedStateAudit::OnStoreInput(uint64_t) {
  const runtime::Micros now = cluster_->rt().Now();
  if (now < next_sample_) return;
  next_sample_ = now + kSampleEvery;
  for (uint64_t id : cluster_->StoreIds()) {
    if (cluster_->IsRunning(id)) sample(id, "", /*between_tasks=*/true);
  }
}

void PersistedStateAudit::OnPreempted(uint64_t store_id, const std::vector<std::string>& ran,
                                      const std::string& where) {
  std::string when = ", what a crash would leave while ";
  for (size_t i = 0; i < ran.size(); ++i) when += (i ? "; " : "") + ran[i];
  when += " overtook its task " + where;
  sample(store_id, when, /*between_tasks=*/false, &ran);
}

void PersistedStateAudit::BeforeStop(uint64_t store_id) {
  // After a crash this is the middle of a task: only what the engines hold counts.
  sample(store_id, ", as it stops", /*between_tasks=*/false);
}

::testing::AssertionResult PersistedStateAudit::BeforeStart(uint64_t store_id) {
  ++restarts_checked_;
  recordCommitted(store_id);
  const std::vector<std::string> problems =
      sample(store_id, ", before it restarts", /*between_tasks=*/false, nullptr,
             /*full_scan=*/true);
  if (problems.empty()) return ::testing::AssertionSuccess();
  auto f = ::testing::AssertionFailure();
  f << "persisted state audit, store " << store_id << " before it restarts:";
  for (const std::string& problem : problems) f << "\n  " << problem;
  return f;
}

void PersistedStateAudit::AfterStart(uint64_t store_id) {
  sample(store_id, ", after a restart", /*between_tasks=*/true);
}

::testing::AssertionResult PersistedStateAudit::Check() {
  for (uint64_t id : cluster_->StoreIds()) {
    if (cluster_->IsRunning(id)) sample(id, ", at the check", /*between_tasks=*/true);
  }
  if (failures_.empty()) return ::testing::AssertionSuccess();
  auto f = ::testing::AssertionFailure();
  f << "persisted state audit:";
  for (const std::string& s : failures_) f << "\n  " << s;
  if (failures_total_ > failures_.size()) {
    f << "\n  ... (" << failures_total_ - failures_.size() << " more)";
  }
  f << "\n  peers: " << cluster_->DescribePeers() << cluster_->SeedNote();
  return f;
}

std::string PersistedStateAudit::Describe() const {
  return "persisted state: " + N(samples_) + " samples (" + N(preempted_samples_) +
         " at preemption points, " + N(restarts_checked_) + " before restarts), " +
         N(committed_.size()) + " committed terms recorded";
}

}  // namespace raftstore::testing::audit
