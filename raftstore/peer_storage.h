#pragma once

// PeerStorage: a peer's persistent state on the store's two engines, and the raft::Storage
// its RawNode reads the log through (TinyKV's peer_storage.go).
//
//   raft engine: the log entries (RaftLogKey) and RaftLocalState (hard state, last index/term);
//   kv engine:   RaftApplyState (applied index, truncated state) and RegionLocalState, written
//                together with the user data they describe.
//
// Student file (2B). Given (framework, in peer_storage_reads.cc): Create, the raft::Storage
// methods (InitialState, Entries, Term, LastIndex, FirstIndex, Snapshot) and the small
// accessors. Yours: Append and SaveReadyState, marked "Your Code Here (2B)" in
// peer_storage.cc. Lab 2C adds the snapshot half.

#include <cstdint>
#include <memory>
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
  // ErrSnapshotTemporarilyUnavailable until lab 2C generates snapshots.
  raft::Result<eraftpb::Snapshot> Snapshot() override;

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
  // Your Code Here (2B).
  kv::Result<std::optional<ApplySnapResult>> SaveReadyState(const raft::Ready& ready);

  // The peer's state: what is persisted, as of the last write. Public, as in TinyKV, so the
  // peer's message handler reads and updates it directly.
  metapb::Region region;
  raft_serverpb::RaftLocalState raft_state;
  raft_serverpb::RaftApplyState apply_state;
  kv::Engines* engines = nullptr;
  // "[region 1] 2": the prefix of this peer's log lines.
  std::string tag;

  // Your Code Here (2B). Add any fields and helpers you need below.

 private:
  // ErrCompacted when lo <= TruncatedIndex(), ErrUnavailable when hi > LastIndex() + 1.
  raft::Error checkRange(uint64_t lo, uint64_t hi) const;
};

}  // namespace raftstore
