// PeerStorage: the given half (framework). Loading the state, and the raft::Storage methods
// RawNode reads the log with. Compiled together with the student's peer_storage.h (or the
// reference's), so keep to the members that header declares as given.

#include <limits>

#include "kv/engine_util/cf.h"
#include "kv/engine_util/cf_iterator.h"
#include "raft/logging.h"
#include "raftstore/meta/keys.h"
#include "raftstore/meta/values.h"
#include "raftstore/peer_storage.h"
#include "raftstore/runner/region_task.h"
#include "raftstore/snap/snap_manager.h"

namespace raftstore {

namespace {

raft::Error StorageError(const kv::Status& s) {
  return raft::Error(raft::ErrorCode::kOther, s.ToString());
}

}  // namespace

kv::Result<std::unique_ptr<PeerStorage>> PeerStorage::Create(kv::Engines* engines,
                                                             const metapb::Region& region,
                                                             std::string tag) {
  auto raft_state = meta::InitRaftLocalState(*engines->raft, region);
  if (!raft_state.ok()) return raft_state.status().Annotate(tag + " load raft state");
  auto apply_state = meta::InitApplyState(*engines->kv, region);
  if (!apply_state.ok()) return apply_state.status().Annotate(tag + " load apply state");
  raft_serverpb::RaftLocalState& rs = raft_state.value();
  const raft_serverpb::RaftApplyState& as = apply_state.value();
  if ((rs.last_index() < as.applied_index() || rs.hard_state().commit() < as.applied_index()) &&
      as.applied_index() == as.truncated_state().index() &&
      as.applied_index() > meta::kRaftInitLogIndex) {
    // The store crashed between the two writes of a Ready that applied a snapshot
    // (SaveReadyState writes the kv batch, then the raft batch): the kv engine holds the
    // snapshot's data and apply state, the raft engine still the old log and RaftLocalState.
    // Entries are only ever applied once committed and persisted, so nothing else puts the
    // applied index past the persisted raft state. Finish what the lost raft batch said: the
    // snapshot replaced the whole log (whatever old entries remain are unreachable past the
    // last index, and overwritten by the next appends) and is committed. (TiKV keeps a copy of
    // the raft state in the kv engine for the same crash.)
    rs.set_last_index(as.applied_index());
    rs.set_last_term(as.truncated_state().term());
    rs.mutable_hard_state()->set_commit(as.applied_index());
    if (rs.hard_state().term() < as.truncated_state().term()) {
      rs.mutable_hard_state()->set_term(as.truncated_state().term());
      rs.mutable_hard_state()->set_vote(0);
    }
  }
  if (raft_state.value().last_index() < apply_state.value().applied_index()) {
    return kv::Status::Corruption(
        tag + " raft log ends at " + std::to_string(raft_state.value().last_index()) +
        " but entries up to " + std::to_string(apply_state.value().applied_index()) +
        " were applied");
  }
  auto ps = std::make_unique<PeerStorage>();
  ps->engines = engines;
  ps->region = region;
  ps->raft_state = std::move(raft_state).value();
  ps->apply_state = std::move(apply_state).value();
  ps->tag = std::move(tag);
  return ps;
}

raft::Result<raft::InitialStateResult> PeerStorage::InitialState() {
  raft::InitialStateResult out;
  if (!IsInitialized()) return out;  // a peer created by a message: nothing known yet
  out.hard_state = raft_state.hard_state();
  for (const metapb::Peer& p : region.peers()) out.conf_state.add_nodes(p.id());
  return out;
}

raft::Error PeerStorage::checkRange(uint64_t lo, uint64_t hi) const {
  if (lo > hi) {
    return raft::Error(raft::ErrorCode::kOther,
                       "low " + std::to_string(lo) + " > high " + std::to_string(hi));
  }
  if (lo <= TruncatedIndex()) {
    return raft::Error(raft::ErrCompacted, "index " + std::to_string(lo) + " <= truncated " +
                                               std::to_string(TruncatedIndex()));
  }
  if (hi > raft_state.last_index() + 1) {
    return raft::Error(raft::ErrUnavailable, "high " + std::to_string(hi) + " > last index " +
                                                 std::to_string(raft_state.last_index()) + " + 1");
  }
  return raft::Error();
}

raft::Result<std::vector<eraftpb::Entry>> PeerStorage::Entries(uint64_t lo, uint64_t hi) {
  if (raft::Error e = checkRange(lo, hi)) return e;
  std::vector<eraftpb::Entry> out;
  if (lo == hi) return out;
  auto it = engines->raft->NewIterator(kv::kCfRaft);
  if (!it.ok()) return StorageError(it.status());
  const std::string end = meta::RaftLogKey(region.id(), hi);
  for (it.value()->Seek(meta::RaftLogKey(region.id(), lo));
       it.value()->Valid() && it.value()->key() < end; it.value()->Next()) {
    eraftpb::Entry e;
    if (!e.ParseFromArray(it.value()->value().data(),
                          static_cast<int>(it.value()->value().size()))) {
      return raft::Error(raft::ErrorCode::kOther, tag + " corrupt log entry");
    }
    // A hole in the log: the entry that should be next is missing.
    if (e.index() != lo + out.size()) break;
    out.push_back(std::move(e));
  }
  if (!it.value()->status().ok()) return StorageError(it.value()->status());
  if (out.size() != hi - lo) {
    return raft::Error(raft::ErrUnavailable, tag + " log entries [" + std::to_string(lo) + ", " +
                                                 std::to_string(hi) + ") are missing from " +
                                                 std::to_string(lo + out.size()));
  }
  return out;
}

raft::Result<uint64_t> PeerStorage::Term(uint64_t i) {
  if (i == TruncatedIndex()) return TruncatedTerm();
  if (raft::Error e = checkRange(i, i + 1)) return e;
  if (i == raft_state.last_index()) return raft_state.last_term();
  // Every entry between two positions of the same term has that term too.
  if (TruncatedTerm() == raft_state.last_term()) return raft_state.last_term();
  auto entry = meta::GetRaftEntry(*engines->raft, region.id(), i);
  if (!entry.ok()) return StorageError(entry.status());
  if (!entry.value().has_value()) {
    return raft::Error(raft::ErrUnavailable, tag + " log entry " + std::to_string(i) + " missing");
  }
  return entry.value()->term();
}

raft::Result<uint64_t> PeerStorage::LastIndex() { return raft_state.last_index(); }

raft::Result<uint64_t> PeerStorage::FirstIndex() { return TruncatedIndex() + 1; }

// ---- Lab 2C: snapshots (given) ----------------------------------------------------------------

bool PeerStorage::validateSnap(const eraftpb::Snapshot& snap) const {
  // A snapshot older than the log's start can't bring a follower to where the log resumes:
  // the entries between would be missing. The log was compacted while it was generated.
  if (snap.metadata().index() < TruncatedIndex()) {
    raft::MakeLogger(tag)->info("snapshot at {} is stale (truncated at {}): again",
                                snap.metadata().index(), TruncatedIndex());
    return false;
  }
  raft_serverpb::RaftSnapshotData data;
  if (!data.ParseFromString(snap.data()) || !data.has_region()) {
    raft::MakeLogger(tag)->warn("generated snapshot holds no RaftSnapshotData: again");
    return false;
  }
  return true;
}

raft::Result<eraftpb::Snapshot> PeerStorage::Snapshot() {
  if (snap_state == SnapState::kGenerating) {
    std::optional<kv::Result<eraftpb::Snapshot>> got;
    {
      std::lock_guard<std::mutex> lock(gen_receiver_->mu);
      got.swap(gen_receiver_->result);
    }
    if (!got) {
      return raft::Error(raft::ErrSnapshotTemporarilyUnavailable,
                         tag + " snapshot being generated");
    }
    snap_state = SnapState::kRelax;
    gen_receiver_.reset();
    if (got->ok()) {
      snap_tried_cnt = 0;
      const eraftpb::SnapshotMetadata& md = got->value().metadata();
      const snap::SnapKey key{region.id(), md.term(), md.index()};
      if (snap_mgr != nullptr && last_generated_ && *last_generated_ != key) {
        // Its chunks were read when it was sent; nobody needs its files any more.
        (void)snap_mgr->Delete(*last_generated_);
      }
      last_generated_ = key;
      if (validateSnap(got->value())) return std::move(*got).value();
    } else {
      raft::MakeLogger(tag)->warn("snapshot generation failed (try {}): {}", snap_tried_cnt,
                                  got->status().ToString());
    }
  }
  if (snap_tried_cnt >= kMaxSnapTries) {
    const int tried = snap_tried_cnt;
    snap_tried_cnt = 0;
    return raft::Error(raft::ErrorCode::kOther,
                       tag + " failed to get a snapshot after " + std::to_string(tried) + " tries");
  }
  ++snap_tried_cnt;
  if (region_sched == nullptr) {
    return raft::Error(raft::ErrSnapshotTemporarilyUnavailable, tag + " no region worker");
  }
  snap_state = SnapState::kGenerating;
  gen_receiver_ = std::make_shared<GenReceiver>();
  // The notifier runs on the region worker's queue; it only fills the receiver, which the
  // next call (on the raft worker) picks up.
  region_sched->Schedule(runner::RegionTaskGen{
      region.id(), [receiver = gen_receiver_](kv::Result<eraftpb::Snapshot> result) {
        std::lock_guard<std::mutex> lock(receiver->mu);
        receiver->result = std::move(result);
      }});
  return raft::Error(raft::ErrSnapshotTemporarilyUnavailable,
                     tag + " snapshot generation scheduled");
}

void PeerStorage::clearMeta(kv::WriteBatch* kv_wb, kv::WriteBatch* raft_wb) {
  // Every log entry of the region, including ones below the truncated index the raftlog-gc
  // worker has not deleted yet: one range over the region's log keys.
  raft_wb->DeleteRangeCF(kv::kCfRaft, meta::RaftLogKey(region.id(), 0),
                         meta::RaftLogKey(region.id(), std::numeric_limits<uint64_t>::max()));
  raft_wb->DeleteMeta(meta::RaftStateKey(region.id()));
  kv_wb->DeleteMeta(meta::ApplyStateKey(region.id()));
}

void PeerStorage::clearExtraData(const metapb::Region& new_region) {
  if (region_sched == nullptr) return;
  const std::string& old_start = region.start_key();
  const std::string& old_end = region.end_key();
  const std::string& new_start = new_region.start_key();
  const std::string& new_end = new_region.end_key();
  // An empty end key means "to the end of the key space".
  auto end_before = [](const std::string& a, const std::string& b) {
    return !a.empty() && (b.empty() || a < b);
  };
  if (old_start < new_start) {
    region_sched->Schedule(runner::RegionTaskDestroy{new_region.id(), old_start, new_start});
  }
  if (end_before(new_end, old_end)) {
    region_sched->Schedule(runner::RegionTaskDestroy{new_region.id(), new_end, old_end});
  }
}

}  // namespace raftstore
