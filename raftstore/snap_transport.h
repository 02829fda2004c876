#pragma once

// SnapTransport: the store's transport as its peers see it (lab 2C framework). Everything goes
// through to the real transport unchanged, except a MsgSnapshot: the snapshot in it carries
// only metadata and the description of its files (RaftSnapshotData), so the files go first,
// as checksummed chunks read from the store's SnapManager, each in a RaftMessage of its own
// (RaftMessage.snap_chunk, with a copy of the MsgSnapshot for its metadata), and the
// MsgSnapshot itself last. The receiving store collects the chunks and steps the MsgSnapshot
// only once the files are complete and intact (PeerMsgHandler::onSnapshotTransfer).
//
// Chunks pass the network's faults like any message. A transport must deliver one snapshot's
// messages between two stores in the order they were sent (a stream, as TCP would); a lost or
// damaged chunk makes the receiver drop the partial files and ignore the MsgSnapshot, and
// Raft's own retry (the follower's rejection brings the leader back to sendSnapshot) sends
// the snapshot again.

#include <cstddef>
#include <cstdint>

#include "kv/engine_util/status.h"
#include "raftstore/snap/snap_manager.h"
#include "raftstore/transport.h"

namespace raftstore {

class SnapTransport : public Transport {
 public:
  // `inner` and `snap_mgr` are not owned.
  SnapTransport(Transport* inner, snap::SnapManager* snap_mgr, size_t chunk_size)
      : inner_(inner), snap_mgr_(snap_mgr), chunk_size_(chunk_size) {}

  kv::Status Send(const raft_serverpb::RaftMessage& msg) override;
  kv::Status SendOwned(raft_serverpb::RaftMessage&& msg) override;

  // Counters for tests and the demo.
  uint64_t snapshots_sent() const { return snapshots_sent_; }
  uint64_t chunks_sent() const { return chunks_sent_; }
  uint64_t snapshot_bytes_sent() const { return bytes_sent_; }

 private:
  Transport* inner_;
  snap::SnapManager* snap_mgr_;
  size_t chunk_size_;
  uint64_t snapshots_sent_ = 0;
  uint64_t chunks_sent_ = 0;
  uint64_t bytes_sent_ = 0;
};

}  // namespace raftstore
