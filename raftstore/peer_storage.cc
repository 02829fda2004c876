// PeerStorage: the student half (2B, 2C). The given half is in peer_storage_reads.cc.

#include "raftstore/peer_storage.h"

#include "raft/util.h"
#include "raftstore/meta/keys.h"
#include "raftstore/meta/values.h"
#include "raftstore/runner/region_task.h"

namespace raftstore {

kv::Status PeerStorage::Append(const std::vector<eraftpb::Entry>& entries,
                               kv::WriteBatch* raft_wb) {
  // Your Code Here (2B).
  (void)entries;
  (void)raft_wb;
  return kv::Status::NotSupported("PeerStorage::Append is not written yet (2B)");
}

kv::Result<std::optional<ApplySnapResult>> PeerStorage::SaveReadyState(const raft::Ready& ready) {
  // Your Code Here (2B).
  // Your Code Here (2C): a Ready with a snapshot (!raft::IsEmptySnap(ready.snapshot)).
  (void)ready;
  return std::optional<ApplySnapResult>();
}

kv::Result<ApplySnapResult> PeerStorage::ApplySnapshot(const eraftpb::Snapshot& snapshot,
                                                       kv::WriteBatch* kv_wb,
                                                       kv::WriteBatch* raft_wb) {
  // Your Code Here (2C).
  (void)snapshot;
  (void)kv_wb;
  (void)raft_wb;
  return kv::Status::NotSupported("PeerStorage::ApplySnapshot is not written yet (2C)");
}

}  // namespace raftstore
