#include "raftstore/snap_transport.h"

namespace raftstore {

kv::Status SnapTransport::Send(const raft_serverpb::RaftMessage& msg) {
  if (msg.message().msg_type() != eraftpb::MsgSnapshot || msg.has_snap_chunk()) {
    return inner_->Send(msg);
  }
  const eraftpb::Snapshot& snapshot = msg.message().snapshot();
  raft_serverpb::RaftSnapshotData data;
  if (!data.ParseFromString(snapshot.data())) {
    return kv::Status::InvalidArgument("MsgSnapshot without RaftSnapshotData: not sent");
  }
  const snap::SnapKey key{msg.region_id(), snapshot.metadata().term(), snapshot.metadata().index()};
  auto chunks = snap_mgr_->ReadChunks(key, data, chunk_size_);
  if (!chunks.ok()) return chunks.status().Annotate("send snapshot " + key.ToString());
  for (raft_serverpb::SnapshotChunk& c : chunks.value()) {
    raft_serverpb::RaftMessage chunk_msg = msg;
    bytes_sent_ += c.data().size();
    *chunk_msg.mutable_snap_chunk() = std::move(c);
    ++chunks_sent_;
    KV_RETURN_IF_ERROR(inner_->SendOwned(std::move(chunk_msg)));
  }
  ++snapshots_sent_;
  return inner_->Send(msg);
}

kv::Status SnapTransport::SendOwned(raft_serverpb::RaftMessage&& msg) {
  if (msg.message().msg_type() != eraftpb::MsgSnapshot || msg.has_snap_chunk()) {
    return inner_->SendOwned(std::move(msg));
  }
  return Send(msg);
}

}  // namespace raftstore
