#include "raftstore/snap/region_snapshot.h"

#include <rocksdb/options.h>
#include <rocksdb/sst_file_reader.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/table_properties.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "kv/engine_util/cf.h"
#include "kv/engine_util/cf_iterator.h"
#include "kv/engine_util/rocks_backend.h"
#include "kv/engine_util/rocks_status.h"

namespace raftstore::snap {
namespace {

bool InRegion(std::string_view key, const metapb::Region& region) {
  return key >= region.start_key() && (region.end_key().empty() || key < region.end_key());
}

// Writes the region's keys of `cf` into one SST file; returns its description (size 0 and
// no file when the region has no key in `cf`: RocksDB cannot write an empty SST).
kv::Result<raft_serverpb::SnapshotCFFile> WriteCfFile(const kv::EngineSnapshot& engine,
                                                      const metapb::Region& region,
                                                      const std::string& cf,
                                                      const std::string& path) {
  raft_serverpb::SnapshotCFFile described;
  described.set_cf(cf);
  auto it = engine.NewIterator(cf);
  if (!it.ok()) return it.status();
  auto writer_or = engine.engine().NewSstFileWriter(cf);
  if (!writer_or.ok()) return writer_or.status();
  rocksdb::SstFileWriter& writer = **writer_or;
  bool opened = false;
  for ((*it)->Seek(region.start_key()); (*it)->Valid() && InRegion((*it)->key(), region);
       (*it)->Next()) {
    if (!opened) {
      kv::Status s = kv::FromRocks(writer.Open(path), "create snapshot file " + path);
      if (!s.ok()) return s;
      opened = true;
    }
    kv::Status s = kv::FromRocks(writer.Put((*it)->key(), (*it)->value()), "write " + path);
    if (!s.ok()) return s;
  }
  KV_RETURN_IF_ERROR((*it)->status());
  if (!opened) return described;
  kv::Status s = kv::FromRocks(writer.Finish(), "finish snapshot file " + path);
  if (!s.ok()) return s;
  auto sum = SizeAndChecksum(engine.engine().env(), path);
  if (!sum.ok()) return sum.status();
  described.set_size(sum->first);
  described.set_checksum(sum->second);
  return described;
}

// The snapshot's SST file of `cf` came from another store: its checksum only says it arrived
// as sent, not that its sender was sane. RocksDB would ingest whatever it holds (keys outside
// the region, deletions and range deletions reaching beyond it), so it is read here as a
// reader sees it — every block checksum verified, written with the kv engine's comparator and
// only puts, keys strictly ascending and inside the region, as many as its properties say —
// and that is copied to a fresh file at `checked_path`, which is what gets ingested: whatever
// the sent file holds that a reader does not see never reaches the engine.
kv::Status CopyCheckedSst(kv::Engine& engine, const metapb::Region& region, const std::string& cf,
                          const std::string& path, const std::string& checked_path) {
  // The engine's options whatever its backend (an in-memory engine has no RocksDB handle).
  rocksdb::Options options = kv::RocksOptions(engine.options());
  options.env = engine.env();
  const std::string what = "snapshot file " + path + " (cf " + cf + ")";
  rocksdb::SstFileReader reader(options);
  KV_RETURN_IF_ERROR(kv::FromRocks(reader.Open(path), "open " + what));
  KV_RETURN_IF_ERROR(kv::FromRocks(reader.VerifyChecksum(), "verify " + what));
  std::shared_ptr<const rocksdb::TableProperties> props = reader.GetTableProperties();
  if (props == nullptr) return kv::Status::Corruption(what + " has no table properties");
  if (props->comparator_name != options.comparator->Name()) {
    return kv::Status::Corruption(what + " is sorted by " + props->comparator_name + ", not " +
                                  options.comparator->Name());
  }
  if (props->num_deletions != 0 || props->num_range_deletions != 0 ||
      props->num_merge_operands != 0) {
    return kv::Status::Corruption(what + " holds deletions or merges, not only puts");
  }
  rocksdb::ReadOptions read;
  read.verify_checksums = true;
  std::unique_ptr<rocksdb::Iterator> it(reader.NewIterator(read));
  auto writer_or = engine.NewSstFileWriter(cf);
  if (!writer_or.ok()) return writer_or.status();
  rocksdb::SstFileWriter& writer = **writer_or;
  KV_RETURN_IF_ERROR(kv::FromRocks(writer.Open(checked_path), "create " + checked_path));
  std::string previous;
  uint64_t count = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string key = it->key().ToString();
    if (!InRegion(key, region)) {
      return kv::Status::Corruption(what + " holds key " + kv::HexKey(key) +
                                    ", outside the region");
    }
    if (count > 0 && key <= previous) {
      return kv::Status::Corruption(what + " is not in key order at " + kv::HexKey(key));
    }
    KV_RETURN_IF_ERROR(kv::FromRocks(writer.Put(it->key(), it->value()), "write " + checked_path));
    previous = key;
    ++count;
  }
  KV_RETURN_IF_ERROR(kv::FromRocks(it->status(), "read " + what));
  if (count == 0 || count != props->num_entries) {
    return kv::Status::Corruption(what + " shows " + std::to_string(count) +
                                  " keys, its properties say " +
                                  std::to_string(props->num_entries));
  }
  return kv::FromRocks(writer.Finish(), "finish " + checked_path);
}

}  // namespace

kv::Result<raft_serverpb::RaftSnapshotData> BuildRegionSnapshot(const kv::EngineSnapshot& engine,
                                                                const metapb::Region& region,
                                                                const SnapKey& key,
                                                                const SnapManager& manager) {
  raft_serverpb::RaftSnapshotData data;
  *data.mutable_region() = region;
  uint64_t total = 0;
  for (const std::string& cf : kv::DataCfs()) {
    auto file = WriteCfFile(engine, region, cf, manager.CfFilePath(key, cf));
    if (!file.ok()) return file.status().Annotate("build snapshot " + key.ToString());
    total += file->size();
    *data.mutable_meta()->add_cf_files() = *file;
  }
  data.set_file_size(total);
  return data;
}

kv::Status IngestRegionSnapshot(kv::Engine& kv_engine, const SnapKey& key,
                                const raft_serverpb::RaftSnapshotData& data,
                                const SnapManager& manager) {
  // Check everything before touching the engine: a damaged snapshot must change nothing.
  KV_RETURN_IF_ERROR(manager.Verify(key, data));
  const metapb::Region& region = data.region();
  std::vector<std::pair<std::string, std::string>> checked;  // (cf, checked file)
  auto remove_checked = [&] {
    for (const auto& [cf, path] : checked) kv_engine.env()->DeleteFile(path).PermitUncheckedError();
  };
  for (const auto& f : data.meta().cf_files()) {
    if (f.size() == 0) continue;
    checked.emplace_back(f.cf(), manager.CfFilePath(key, f.cf()) + ".checked");
    kv::Status s = CopyCheckedSst(kv_engine, region, f.cf(), manager.CfFilePath(key, f.cf()),
                                  checked.back().second);
    if (!s.ok()) {
      remove_checked();
      return s.Annotate("apply snapshot " + key.ToString());
    }
  }
  // Clearing the range and ingesting the files is one step for a crash test: a store never
  // restarts with the region's data half replaced (see kv::Engine::CompoundWrite).
  kv::Engine::CompoundWrite compound(kv_engine, "apply snapshot data");
  kv::WriteBatch clear;
  for (const std::string& cf : kv::DataCfs()) {
    clear.DeleteRangeCF(cf, region.start_key(), region.end_key());
  }
  kv::Status s = kv_engine.Write(clear, /*sync=*/false);
  for (const auto& [cf, path] : checked) {
    if (!s.ok()) break;
    // The engine ingests a copy of the checked file; remove_checked deletes ours.
    s = kv_engine.IngestSstFile(cf, path).Annotate("apply snapshot " + key.ToString() +
                                                   ": ingest cf " + cf);
  }
  remove_checked();
  if (!s.ok()) return s;
  compound.Done();
  return kv::Status::OK();
}

}  // namespace raftstore::snap
