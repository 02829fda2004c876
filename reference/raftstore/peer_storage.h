#pragma once

// PeerStorage: a peer's persistent state on the store's two engines, and the raft::Storage
// its RawNode reads the log through (TinyKV's peer_storage.go).
//
//   raft engine: the log entries (RaftLogKey) and RaftLocalState (hard state, last index/term);
//   kv engine:   RaftApplyState (applied index, truncated state) and RegionLocalState, written
//                together with the user data they describe.
//
// Student file (2B, 2C). Given (framework, in peer_storage_reads.cc): Create, the raft::Storage
// methods (InitialState, Entries, Term, LastIndex, FirstIndex, Snapshot), clearMeta,
// clearExtraData and the small accessors. Yours, in peer_storage.cc: Append and SaveReadyState
// (2B), ApplySnapshot and the snapshot branch of SaveReadyState (2C).

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "kv/engine_util/engines.h"
#include "kv/engine_util/status.h"
#include "kv/engine_util/write_batch.h"
#include "proto/eraftpb.pb.h"
#include "proto/metapb.pb.h"
#include "proto/raft_serverpb.pb.h"
#include "raft/rawnode.h"
#include "raft/storage.h"
#include "raftstore/snap/snap_key.h"

namespace raftstore::runner {
class RegionTaskHandler;
}  // namespace raftstore::runner
namespace raftstore::snap {
class SnapManager;
}  // namespace raftstore::snap

namespace raftstore {

// What applying a snapshot changed (2C): the region before and after.
struct ApplySnapResult {
  metapb::Region prev_region;
  metapb::Region region;
};

class PeerStorage : public raft::Storage {
 public:
  // Loads the peer's raft and apply state from the engines (the initial state of a freshly
  // bootstrapped region when nothing is stored yet). kCorruption when the stored states
  // contradict each other. Given.
  static kv::Result<std::unique_ptr<PeerStorage>> Create(kv::Engines* engines,
                                                         const metapb::Region& region,
                                                         std::string tag);

  // raft::Storage. Given.
  raft::Result<raft::InitialStateResult> InitialState() override;
  raft::Result<std::vector<eraftpb::Entry>> Entries(uint64_t lo, uint64_t hi) override;
  raft::Result<uint64_t> Term(uint64_t i) override;
  raft::Result<uint64_t> LastIndex() override;
  raft::Result<uint64_t> FirstIndex() override;
  // The region's snapshot, generated asynchronously (2C): the first call schedules a
  // RegionTaskGen on the region worker and answers ErrSnapshotTemporarilyUnavailable; a later
  // call returns the generated snapshot. A stale or failed generation is retried, at most
  // kMaxSnapTries times in a row before an error is returned (TinyKV's snapTriedCnt).
  raft::Result<eraftpb::Snapshot> Snapshot() override;
  static constexpr int kMaxSnapTries = 5;

  // Given accessors.
  bool IsInitialized() const { return region.peers_size() > 0; }
  const metapb::Region& Region() const { return region; }
  void SetRegion(const metapb::Region& r) { region = r; }
  uint64_t AppliedIndex() const { return apply_state.applied_index(); }
  uint64_t TruncatedIndex() const { return apply_state.truncated_state().index(); }
  uint64_t TruncatedTerm() const { return apply_state.truncated_state().term(); }

  // Adds `entries` (new entries from a Ready, in index order) to `raft_wb`, the raft engine
  // batch being built for this Ready, and updates raft_state.last_index / last_term.
  //
  // Entries already stored at or after the first new index may have been overwritten by a
  // new leader: every stored entry past the last new entry can never be committed, and must be
  // deleted in the same batch. Entries before FirstIndex() (already compacted) are skipped.
  // Your Code Here (2B).
  kv::Status Append(const std::vector<eraftpb::Entry>& entries, kv::WriteBatch* raft_wb);

  // Persists what `ready` asks to persist before anything is sent or applied: its entries
  // (with Append), and its hard state when it is not empty, into raft_state; then writes
  // raft_state (RaftStateKey) and the entries in ONE raft engine write batch, so a crash leaves
  // either all of it or none of it. Returns what applying a snapshot changed (2C; nothing in 2B).
  //
  // Lab 2C: when the Ready carries a snapshot (!raft::IsEmptySnap(ready.snapshot)), apply it
  // first with ApplySnapshot, which fills a kv engine batch (apply state, region state) and
  // the raft engine batch; write the kv batch, then the raft batch; return its
  // ApplySnapResult so that the caller updates the peer's region.
  // Your Code Here (2B). Your Code Here (2C).
  kv::Result<std::optional<ApplySnapResult>> SaveReadyState(const raft::Ready& ready);

  // Makes `snapshot` (from a Ready) this peer's state (2C), TinyKV's ApplySnapshot:
  //   1. parse its data (raft_serverpb::RaftSnapshotData: the region and its files);
  //   2. if this peer already had a region: clearMeta (its log, raft and apply state) and
  //      clearExtraData (data the old region covered and the new one does not);
  //   3. raft_state: last index and term = the snapshot's; apply_state: applied index and
  //      truncated state = the snapshot's index (and term);
  //   4. snap_state = kApplying; send a RegionTaskApply (with the parsed data) to the region
  //      worker with region_sched->RunAndWait and check what its notifier reported;
  //   5. put the apply state and the snapshot region's RegionLocalState (Normal) in `kv_wb`,
  //      make it this peer's region, and return the region before and after.
  // The caller (SaveReadyState) writes raft_state into `raft_wb` and both batches to disk.
  // Your Code Here (2C).
  kv::Result<ApplySnapResult> ApplySnapshot(const eraftpb::Snapshot& snapshot,
                                            kv::WriteBatch* kv_wb, kv::WriteBatch* raft_wb);

  // Given (2C): adds to the batches the deletion of this peer's log entries and
  // RaftLocalState (raft_wb) and of its RaftApplyState (kv_wb).
  void clearMeta(kv::WriteBatch* kv_wb, kv::WriteBatch* raft_wb);
  // Given (2C): schedules a RegionTaskDestroy for the keys the current region covers and
  // `new_region` does not.
  void clearExtraData(const metapb::Region& new_region);

  // The peer's state: what is persisted, as of the last write. Public, as in TinyKV, so the
  // peer's message handler reads and updates it directly.
  metapb::Region region;
  raft_serverpb::RaftLocalState raft_state;
  raft_serverpb::RaftApplyState apply_state;
  kv::Engines* engines = nullptr;
  // "[region 1] 2": the prefix of this peer's log lines.
  std::string tag;

  // Lab 2C, given. What the peer's snapshot work is doing (TinyKV's snap.SnapState).
  enum class SnapState { kRelax, kGenerating, kApplying };
  SnapState snap_state = SnapState::kRelax;
  // The store's region worker: RegionTaskGen, RegionTaskApply and RegionTaskDestroy go there.
  // Null only in unit tests that never snapshot.
  runner::RegionTaskHandler* region_sched = nullptr;
  // The store's snapshot files (old generated snapshots are removed from it).
  snap::SnapManager* snap_mgr = nullptr;
  // Generations asked for in a row without a usable snapshot (TinyKV's snapTriedCnt).
  int snap_tried_cnt = 0;

  // Your Code Here (2B). Add any fields and helpers you need below.

 private:
  // ErrCompacted when lo <= TruncatedIndex(), ErrUnavailable when hi > LastIndex() + 1.
  raft::Error checkRange(uint64_t lo, uint64_t hi) const;

  // Given (2C). A generation's result, handed from the region worker (possibly another
  // thread) to Snapshot(): the counterpart of TinyKV's notifier channel.
  struct GenReceiver {
    std::mutex mu;
    std::optional<kv::Result<eraftpb::Snapshot>> result;
  };
  std::shared_ptr<GenReceiver> gen_receiver_;
  // The last snapshot generated here, whose files are removed once a newer one replaces it.
  std::optional<snap::SnapKey> last_generated_;
  bool validateSnap(const eraftpb::Snapshot& snap) const;
};

}  // namespace raftstore
