#include "raftstore/snap/snap_manager.h"

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "kv/engine_util/cf.h"
#include "kv/engine_util/rocks_status.h"
#include "raftstore/snap/checksum.h"

namespace raftstore::snap {
namespace {

constexpr size_t kReadBlock = 1 << 20;

SnapKey KeyOf(const raft_serverpb::SnapshotChunk& chunk) {
  return SnapKey{chunk.region_id(), chunk.term(), chunk.index()};
}

// The metadata comes from another store: its file list must name each of the kv engine's
// data column families at most once. A name outside them would be ingested nowhere (and
// becomes part of a file path); a name listed twice would be received and closed twice.
std::string BadCfFiles(const raft_serverpb::RaftSnapshotData& data) {
  std::set<std::string> seen;
  for (const auto& f : data.meta().cf_files()) {
    if (!kv::IsDataCf(f.cf())) {
      return "the snapshot's metadata lists a file of cf '" + f.cf() +
             "', which the kv engine does not have";
    }
    if (!seen.insert(f.cf()).second) {
      return "the snapshot's metadata lists cf " + f.cf() + " twice";
    }
  }
  return "";
}

const raft_serverpb::SnapshotCFFile* FindCf(const raft_serverpb::RaftSnapshotData& data,
                                            std::string_view cf) {
  for (const auto& f : data.meta().cf_files()) {
    if (f.cf() == cf) return &f;
  }
  return nullptr;
}

}  // namespace

// A snapshot being received: one open partial file per column family, and how much of it
// has arrived.
struct SnapManager::Incoming {
  struct File {
    std::unique_ptr<rocksdb::WritableFile> file;
    uint64_t received = 0;
  };
  std::map<std::string, File> files;
};

kv::Result<std::pair<uint64_t, uint32_t>> SizeAndChecksum(rocksdb::Env* env,
                                                          const std::string& path) {
  std::unique_ptr<rocksdb::SequentialFile> file;
  kv::Status s = kv::FromRocks(env->NewSequentialFile(path, &file, rocksdb::EnvOptions()),
                               "open snapshot file " + path);
  if (!s.ok()) return s;
  std::string scratch(kReadBlock, '\0');
  uint64_t size = 0;
  uint32_t crc = 0;
  while (true) {
    rocksdb::Slice got;
    s = kv::FromRocks(file->Read(kReadBlock, &got, scratch.data()), "read snapshot file " + path);
    if (!s.ok()) return s;
    if (got.empty()) break;
    size += got.size();
    crc = Crc32c(std::string_view(got.data(), got.size()), crc);
  }
  return std::make_pair(size, crc);
}

SnapManager::SnapManager(std::shared_ptr<rocksdb::Env> env, std::string dir)
    : owned_env_(std::move(env)),
      env_(owned_env_ ? owned_env_.get() : rocksdb::Env::Default()),
      dir_(std::move(dir)) {
  // Creating a directory that exists is fine; a failure shows up at the first file write.
  (void)env_->CreateDirIfMissing(dir_);
}

SnapManager::~SnapManager() {
  while (!incoming_.empty()) AbortReceive(incoming_.begin()->first);
}

std::string SnapManager::CfFilePath(const SnapKey& key, std::string_view cf) const {
  return dir_ + "/" + key.FileStem() + "_" + std::string(cf) + ".sst";
}

std::string SnapManager::partialPath(const SnapKey& key, std::string_view cf) const {
  return CfFilePath(key, cf) + ".receiving";
}

kv::Status SnapManager::Verify(const SnapKey& key,
                               const raft_serverpb::RaftSnapshotData& data) const {
  // Checked on receipt too; again here, because applying trusts what this approves.
  if (std::string bad = BadCfFiles(data); !bad.empty()) {
    return kv::Status::Corruption("snapshot " + key.ToString() + ": " + bad);
  }
  for (const auto& f : data.meta().cf_files()) {
    if (f.size() == 0) continue;  // An empty column family has no file.
    std::string path = CfFilePath(key, f.cf());
    auto got = SizeAndChecksum(env_, path);
    if (!got.ok()) return got.status().Annotate("snapshot " + key.ToString());
    if (got->first != f.size()) {
      return kv::Status::Corruption("snapshot " + key.ToString() + ", cf " + f.cf() + ": file " +
                                    path + " has " + std::to_string(got->first) +
                                    " bytes, the snapshot's metadata says " +
                                    std::to_string(f.size()));
    }
    if (got->second != f.checksum()) {
      return kv::Status::Corruption("snapshot " + key.ToString() + ", cf " + f.cf() +
                                    ": checksum of " + path + " is " + std::to_string(got->second) +
                                    ", the metadata says " + std::to_string(f.checksum()));
    }
  }
  return kv::Status::OK();
}

kv::Result<std::vector<raft_serverpb::SnapshotChunk>> SnapManager::ReadChunks(
    const SnapKey& key, const raft_serverpb::RaftSnapshotData& data, size_t chunk_size) const {
  if (chunk_size == 0) return kv::Status::InvalidArgument("snapshot chunk size must be > 0");
  std::vector<raft_serverpb::SnapshotChunk> chunks;
  std::string scratch(chunk_size, '\0');
  for (const auto& f : data.meta().cf_files()) {
    if (f.size() == 0) continue;
    std::string path = CfFilePath(key, f.cf());
    std::unique_ptr<rocksdb::SequentialFile> file;
    kv::Status s = kv::FromRocks(env_->NewSequentialFile(path, &file, rocksdb::EnvOptions()),
                                 "snapshot " + key.ToString() + ": open " + path);
    if (!s.ok()) return s;
    uint64_t offset = 0;
    while (true) {
      rocksdb::Slice got;
      s = kv::FromRocks(file->Read(chunk_size, &got, scratch.data()),
                        "snapshot " + key.ToString() + ": read " + path);
      if (!s.ok()) return s;
      if (got.empty()) break;
      raft_serverpb::SnapshotChunk& c = chunks.emplace_back();
      c.set_region_id(key.region_id);
      c.set_term(key.term);
      c.set_index(key.index);
      c.set_cf(f.cf());
      c.set_offset(offset);
      c.set_data(got.data(), got.size());
      c.set_checksum(Crc32c(c.data()));
      offset += got.size();
    }
  }
  return chunks;
}

kv::Status SnapManager::fail(const SnapKey& key, std::string message) {
  AbortReceive(key);
  return kv::Status::Corruption("snapshot " + key.ToString() + " refused: " + message);
}

kv::Status SnapManager::ReceiveChunk(const raft_serverpb::SnapshotChunk& chunk,
                                     const raft_serverpb::RaftSnapshotData& data) {
  SnapKey key = KeyOf(chunk);
  if (std::string bad = BadCfFiles(data); !bad.empty()) return fail(key, bad);
  const raft_serverpb::SnapshotCFFile* expected = FindCf(data, chunk.cf());
  if (expected == nullptr) {
    return fail(key, "chunk of cf '" + chunk.cf() + "', which the snapshot does not have");
  }
  if (Crc32c(chunk.data()) != chunk.checksum()) {
    return fail(key, "chunk of cf " + chunk.cf() + " at offset " + std::to_string(chunk.offset()) +
                         " is damaged (checksum mismatch)");
  }
  std::unique_ptr<Incoming>& in = incoming_[key];
  if (!in) in = std::make_unique<Incoming>();
  Incoming::File& f = in->files[chunk.cf()];
  if (chunk.offset() != f.received) {
    return fail(key, "chunk of cf " + chunk.cf() + " at offset " + std::to_string(chunk.offset()) +
                         ", expected offset " + std::to_string(f.received) +
                         " (a chunk was lost or came out of order)");
  }
  if (f.received + chunk.data().size() > expected->size()) {
    return fail(key, "cf " + chunk.cf() + " grows past its size of " +
                         std::to_string(expected->size()) + " bytes");
  }
  if (!f.file) {
    kv::Status s = kv::FromRocks(
        env_->NewWritableFile(partialPath(key, chunk.cf()), &f.file, rocksdb::EnvOptions()),
        "snapshot " + key.ToString() + ": create " + partialPath(key, chunk.cf()));
    if (!s.ok()) {
      AbortReceive(key);
      return s;
    }
  }
  kv::Status s =
      kv::FromRocks(f.file->Append(chunk.data()),
                    "snapshot " + key.ToString() + ": write " + partialPath(key, chunk.cf()));
  if (!s.ok()) {
    AbortReceive(key);
    return s;
  }
  f.received += chunk.data().size();
  return kv::Status::OK();
}

kv::Status SnapManager::FinishReceive(const SnapKey& key,
                                      const raft_serverpb::RaftSnapshotData& data) {
  if (std::string bad = BadCfFiles(data); !bad.empty()) return fail(key, bad);
  auto it = incoming_.find(key);
  for (const auto& expected : data.meta().cf_files()) {
    if (expected.size() == 0) continue;
    Incoming::File* f = nullptr;
    if (it != incoming_.end()) {
      auto fit = it->second->files.find(expected.cf());
      if (fit != it->second->files.end()) f = &fit->second;
    }
    uint64_t received = f ? f->received : 0;
    if (received != expected.size()) {
      return fail(key, "cf " + expected.cf() + " is incomplete: " + std::to_string(received) +
                           " of " + std::to_string(expected.size()) + " bytes arrived");
    }
    kv::Status s = kv::FromRocks(f->file->Close(), "close " + partialPath(key, expected.cf()));
    f->file.reset();
    if (!s.ok()) {
      AbortReceive(key);
      return s;
    }
    auto got = SizeAndChecksum(env_, partialPath(key, expected.cf()));
    if (!got.ok()) {
      AbortReceive(key);
      return got.status();
    }
    if (got->second != expected.checksum()) {
      return fail(key, "cf " + expected.cf() + " does not match the snapshot's checksum");
    }
  }
  for (const auto& expected : data.meta().cf_files()) {
    if (expected.size() == 0) continue;
    kv::Status s = kv::FromRocks(
        env_->RenameFile(partialPath(key, expected.cf()), CfFilePath(key, expected.cf())),
        "snapshot " + key.ToString() + ": rename received file");
    if (!s.ok()) {
      AbortReceive(key);
      return s;
    }
  }
  incoming_.erase(key);
  received_.insert(key);
  return kv::Status::OK();
}

void SnapManager::AbortReceive(const SnapKey& key) {
  auto it = incoming_.find(key);
  if (it == incoming_.end()) return;
  for (auto& [cf, f] : it->second->files) {
    if (f.file) (void)f.file->Close();
    (void)env_->DeleteFile(partialPath(key, cf));
  }
  incoming_.erase(it);
}

kv::Status SnapManager::Delete(const SnapKey& key) {
  std::vector<std::string> children;
  kv::Status s = kv::FromRocks(env_->GetChildren(dir_, &children), "list " + dir_);
  if (!s.ok()) return s;
  const std::string prefix = key.FileStem() + "_";
  for (const std::string& name : children) {
    if (name.rfind(prefix, 0) != 0) continue;
    s = kv::FromRocks(env_->DeleteFile(dir_ + "/" + name), "delete snapshot file " + name);
    if (!s.ok()) return s;
  }
  received_.erase(key);
  return kv::Status::OK();
}

size_t SnapManager::DropStaleReceived(uint64_t region_id, uint64_t applied_index) {
  const SnapKey from{region_id, 0, 0};
  std::vector<SnapKey> stale;
  for (auto it = incoming_.lower_bound(from);
       it != incoming_.end() && it->first.region_id == region_id; ++it) {
    if (it->first.index <= applied_index) stale.push_back(it->first);
  }
  for (const SnapKey& key : stale) AbortReceive(key);
  size_t dropped = stale.size();
  stale.clear();
  for (auto it = received_.lower_bound(from); it != received_.end() && it->region_id == region_id;
       ++it) {
    if (it->index <= applied_index) stale.push_back(*it);
  }
  for (const SnapKey& key : stale) {
    // A file that cannot be deleted now is tried again at the next call.
    if (Delete(key).ok()) ++dropped;
  }
  return dropped;
}

}  // namespace raftstore::snap
