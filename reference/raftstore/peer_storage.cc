// PeerStorage: the student half (2B), complete. The given half is in
// raftstore/peer_storage_reads.cc.

#include "raftstore/peer_storage.h"

#include "raft/util.h"
#include "raftstore/meta/keys.h"

namespace raftstore {

kv::Status PeerStorage::Append(const std::vector<eraftpb::Entry>& entries,
                               kv::WriteBatch* raft_wb) {
  if (entries.empty()) return kv::Status::OK();
  const uint64_t first = TruncatedIndex() + 1;
  const uint64_t last_new = entries.back().index();
  if (last_new < first) return kv::Status::OK();  // all of them were compacted already

  for (const eraftpb::Entry& e : entries) {
    if (e.index() < first) continue;
    raft_wb->SetMeta(meta::RaftLogKey(region.id(), e.index()), e);
  }
  // Entries past the new last one belong to a log a new leader has overwritten: they can
  // never be committed, and must not be read back after a restart.
  for (uint64_t i = last_new + 1; i <= raft_state.last_index(); ++i) {
    raft_wb->DeleteMeta(meta::RaftLogKey(region.id(), i));
  }
  raft_state.set_last_index(last_new);
  raft_state.set_last_term(entries.back().term());
  return kv::Status::OK();
}

kv::Result<std::optional<ApplySnapResult>> PeerStorage::SaveReadyState(const raft::Ready& ready) {
  kv::WriteBatch raft_wb;
  const raft_serverpb::RaftLocalState before = raft_state;
  kv::Status s = Append(ready.entries, &raft_wb);
  if (s.ok()) {
    if (!raft::IsEmptyHardState(ready.hard_state))
      *raft_state.mutable_hard_state() = ready.hard_state;
    raft_wb.SetMeta(meta::RaftStateKey(region.id()), raft_state);
    s = engines->WriteRaft(raft_wb);
  }
  if (!s.ok()) {
    raft_state = before;  // memory must not run ahead of the disk
    return s.Annotate(tag + " save ready state");
  }
  return std::optional<ApplySnapResult>();
}

}  // namespace raftstore
