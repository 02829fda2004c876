#include "raftstore/snap/region_snapshot.h"

#include <rocksdb/sst_file_writer.h>

#include <memory>
#include <string>

#include "kv/engine_util/cf.h"
#include "kv/engine_util/cf_iterator.h"
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
  // Clearing the range and ingesting the files is one step for a crash test: a store never
  // restarts with the region's data half replaced (see kv::Engine::CompoundWrite).
  kv::Engine::CompoundWrite compound(kv_engine, "apply snapshot data");
  kv::WriteBatch clear;
  for (const std::string& cf : kv::DataCfs()) {
    clear.DeleteRangeCF(cf, region.start_key(), region.end_key());
  }
  KV_RETURN_IF_ERROR(kv_engine.Write(clear, /*sync=*/false));
  for (const auto& f : data.meta().cf_files()) {
    if (f.size() == 0) continue;
    KV_RETURN_IF_ERROR(kv_engine.IngestSstFile(f.cf(), manager.CfFilePath(key, f.cf()))
                           .Annotate("apply snapshot " + key.ToString()));
  }
  compound.Done();
  return kv::Status::OK();
}

}  // namespace raftstore::snap
