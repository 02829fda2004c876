// PeerStorage: the student half (2B). The given half is in peer_storage_reads.cc.

#include "raftstore/peer_storage.h"

#include "raft/util.h"
#include "raftstore/meta/keys.h"

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
  (void)ready;
  return std::optional<ApplySnapResult>();
}

}  // namespace raftstore
