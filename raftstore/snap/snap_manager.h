#pragma once

// Where a store keeps region snapshots while they are built, sent, received and applied:
// one directory (on the engines' Env, so the in-memory file system of tests works too) with
// one file per column family per snapshot, named after its SnapKey.
//
// The leader's store reads a built snapshot back as checksummed chunks (ReadChunks); the
// follower's store receives them (ReceiveChunk, FinishReceive). Nothing that fails a check is
// ever handed on: a chunk with a wrong checksum, out of order or past the file's size, and a
// file whose size or CRC differs from the snapshot's metadata, are refused with kCorruption
// naming the snapshot, the column family and what was wrong; the partial files are removed,
// and the sender starts over.

#include <rocksdb/env.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "kv/engine_util/status.h"
#include "proto/raft_serverpb.pb.h"
#include "raftstore/snap/snap_key.h"

namespace raftstore::snap {

class SnapManager {
 public:
  // Snapshots live in `dir` on `env` (the real file system when env is nullptr). The
  // directory is created if missing.
  SnapManager(std::shared_ptr<rocksdb::Env> env, std::string dir);
  ~SnapManager();
  SnapManager(const SnapManager&) = delete;
  SnapManager& operator=(const SnapManager&) = delete;

  rocksdb::Env* env() const { return env_; }
  const std::string& dir() const { return dir_; }

  // The complete file of column family `cf` of snapshot `key`.
  std::string CfFilePath(const SnapKey& key, std::string_view cf) const;

  // OK when `data` lists each of the kv engine's data column families at most once and every
  // file it lists is present with the listed size and checksum.
  kv::Status Verify(const SnapKey& key, const raft_serverpb::RaftSnapshotData& data) const;

  // The snapshot's files cut into chunks of at most `chunk_size` bytes, column family by
  // column family, each with its CRC-32C. Fails if a file is missing or unreadable.
  kv::Result<std::vector<raft_serverpb::SnapshotChunk>> ReadChunks(
      const SnapKey& key, const raft_serverpb::RaftSnapshotData& data, size_t chunk_size) const;

  // Takes one chunk of a snapshot whose metadata is `data`. Chunks of one column family must
  // come in order. On any error the snapshot's partial files are dropped: start again.
  kv::Status ReceiveChunk(const raft_serverpb::SnapshotChunk& chunk,
                          const raft_serverpb::RaftSnapshotData& data);
  // Called once every chunk has been received: checks every file against `data` and makes
  // the snapshot complete (CfFilePath). Dropped, with kCorruption, if anything is missing.
  kv::Status FinishReceive(const SnapKey& key, const raft_serverpb::RaftSnapshotData& data);
  // Forgets a snapshot being received and removes its partial files.
  void AbortReceive(const SnapKey& key);

  // Removes the snapshot's complete files (missing files are fine).
  kv::Status Delete(const SnapKey& key);

  // Drops what this store received for `region_id` at or below `applied_index`: transfers
  // still arriving and complete snapshots that were never applied (Raft ignores a snapshot
  // its log already covers, and an applied one has its files removed by the region worker).
  // Nothing there can be applied any more. Returns how many snapshots were dropped.
  size_t DropStaleReceived(uint64_t region_id, uint64_t applied_index);
  // Snapshots received complete and not yet deleted (for tests).
  size_t received_count() const { return received_.size(); }

 private:
  struct Incoming;

  std::string partialPath(const SnapKey& key, std::string_view cf) const;
  kv::Status fail(const SnapKey& key, std::string message);

  std::shared_ptr<rocksdb::Env> owned_env_;
  rocksdb::Env* env_;
  std::string dir_;
  std::map<SnapKey, std::unique_ptr<Incoming>> incoming_;
  // Complete snapshots this store received (ordered, so a region's keys are adjacent).
  std::set<SnapKey> received_;
};

// Reads the whole file at `path` on `env`, checksumming as it goes: (size, CRC-32C).
kv::Result<std::pair<uint64_t, uint32_t>> SizeAndChecksum(rocksdb::Env* env,
                                                          const std::string& path);

}  // namespace raftstore::snap
