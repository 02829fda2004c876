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
// and what a reader sees is what goes into `replacement`: whatever the sent file holds that a
// reader does not see never reaches the engine.
kv::Status AddCheckedSst(kv::Engine& engine, kv::RangeReplacement& replacement,
                         const metapb::Region& region, const std::string& cf,
                         const std::string& path) {
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
    KV_RETURN_IF_ERROR(replacement.Put(cf, key, {it->value().data(), it->value().size()}));
    previous = key;
    ++count;
  }
  KV_RETURN_IF_ERROR(kv::FromRocks(it->status(), "read " + what));
  if (count == 0 || count != props->num_entries) {
    return kv::Status::Corruption(what + " shows " + std::to_string(count) +
                                  " keys, its properties say " +
                                  std::to_string(props->num_entries));
  }
  return kv::Status::OK();
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
  const std::string what = "apply snapshot " + key.ToString();
  // Check everything before touching the engine: a damaged snapshot must change nothing.
  KV_RETURN_IF_ERROR(manager.Verify(key, data));
  const metapb::Region& region = data.region();
  // One write clears the region's range and adds the snapshot's pairs, so neither an error
  // half way nor a crash leaves the region's data half replaced. (Its scratch files are named
  // like the snapshot's, so the snapshot's cleanup finds any that a crash leaves.)
  auto replacement = kv_engine.NewRangeReplacement(
      region.start_key(), region.end_key(), kv::DataCfs(),
      manager.dir() + "/" + key.FileStem() + "_applying", "apply snapshot data");
  if (!replacement.ok()) return replacement.status().Annotate(what);
  for (const auto& f : data.meta().cf_files()) {
    if (f.size() == 0) continue;
    kv::Status s =
        AddCheckedSst(kv_engine, **replacement, region, f.cf(), manager.CfFilePath(key, f.cf()));
    if (!s.ok()) return s.Annotate(what);
  }
  return (*replacement)->Commit().Annotate(what);
}

}  // namespace raftstore::snap
