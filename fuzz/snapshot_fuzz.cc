// Fuzz target: region snapshots as a follower's store receives them. The input is a series
// of RaftMessages (each a 2-byte big-endian length and the message's bytes), handled the way
// PeerMsgHandler::onSnapshotTransfer does: a message with a snap_chunk goes to
// SnapManager::ReceiveChunk, a MsgSnapshot without one to FinishReceive, each with the
// RaftSnapshotData its snapshot carries. Whatever the bytes, every step must return a Status
// (never crash, hang or write outside the snapshot directory), and a snapshot accepted as
// complete must be exactly what its metadata describes.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "fuzz/raft_message_stream.h"
#include "kv/engine_util/cf.h"
#include "kv/engine_util/engine.h"
#include "proto/raft_serverpb.pb.h"
#include "raftstore/snap/snap_manager.h"

namespace {

constexpr const char* kDir = "/fuzz/snap";

// Every file the manager left on the in-memory file system lies in its directory.
void CheckNothingOutside(rocksdb::Env* env) {
  for (const char* dir : {"/", "/fuzz", "/etc", "/tmp"}) {
    std::vector<std::string> children;
    if (!env->GetChildren(dir, &children).ok()) continue;
    for (const std::string& c : children) {
      const std::string path = std::string(dir) + (std::string(dir) == "/" ? "" : "/") + c;
      FUZZ_CHECK(path == "/fuzz" || path == kDir || c == "." || c == "..",
                 ("a snapshot file was written outside the snapshot directory: " + path).c_str());
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using raftstore::snap::SnapKey;
  std::shared_ptr<rocksdb::Env> env = kv::NewInMemoryEnv();
  raftstore::snap::SnapManager mgr(env, kDir);
  fuzz::ForEachRaftMessage(data, size, [&](const raft_serverpb::RaftMessage& msg, int /*step*/) {
    const eraftpb::Snapshot& snapshot = msg.message().snapshot();
    raft_serverpb::RaftSnapshotData snap_data;
    if (!snap_data.ParseFromString(snapshot.data())) return;  // dropped with a warning
    if (msg.has_snap_chunk()) {
      kv::Status s = mgr.ReceiveChunk(msg.snap_chunk(), snap_data);
      if (!s.ok()) FUZZ_CHECK(!s.ToString().empty(), "ReceiveChunk: an error without a message");
    } else if (msg.message().msg_type() == eraftpb::MsgSnapshot) {
      const SnapKey key{msg.region_id(), snapshot.metadata().term(), snapshot.metadata().index()};
      kv::Status s = mgr.FinishReceive(key, snap_data);
      if (s.ok()) {
        // Accepted: every file is there, of the size and checksum the metadata gives, and
        // only column families the kv engine has can be ingested from it.
        FUZZ_CHECK(mgr.Verify(key, snap_data).ok(),
                   "FinishReceive accepted a snapshot that does not verify");
        for (const auto& f : snap_data.meta().cf_files()) {
          FUZZ_CHECK(kv::IsDataCf(f.cf()),
                     "FinishReceive accepted a file of an unknown column family");
        }
        FUZZ_CHECK(mgr.Delete(key).ok(), "cannot delete a received snapshot");
      }
    }
  });
  CheckNothingOutside(env.get());
  return 0;
}
