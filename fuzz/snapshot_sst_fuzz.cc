// Fuzz target: the SST files of a region snapshot, as a hostile or broken peer could send them
// with sizes and checksums that match (the transfer checks those; snapshot_fuzz covers it).
// The input describes the files: its first frame (see raft_message_stream.h) is the control
//   [flags] [offset: 2 bytes] [bytes...]
// and each further frame a record [cf] [op] [key length] [key] [value]: op 0 put, 1 delete,
// 2 range delete up to `value`; cf 0-2 a data column family, 3 the meta one (raft). The files
// are written with RocksDB's SstFileWriter (records sorted per file, as it requires; flag 1
// sorts them with the reverse comparator instead), then flag 2 XORs the control's bytes into the
// file at `offset`, flag 4 cuts the file there, flag 8 lists each file under the next cf's name.
// The snapshot then goes through IngestRegionSnapshot into a kv engine that holds keys inside
// and outside the region ["b", "y") in every column family. It must either fail and leave the
// engine exactly as it was, or succeed with every key outside the region (and the meta column
// family) untouched and only keys the snapshot put inside it.
#include <rocksdb/comparator.h>
#include <rocksdb/options.h>
#include <rocksdb/sst_file_writer.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "fuzz/raft_message_stream.h"
#include "fuzz/reused_engines.h"
#include "kv/engine_util/cf.h"
#include "kv/engine_util/cf_iterator.h"
#include "kv/engine_util/engine.h"
#include "proto/raft_serverpb.pb.h"
#include "raftstore/snap/region_snapshot.h"
#include "raftstore/snap/snap_manager.h"

namespace {

using raftstore::snap::SnapKey;

const std::vector<std::string>& AllCfs() {
  static const std::vector<std::string> cfs = {"default", "lock", "write", "raft"};
  return cfs;
}

struct Record {
  uint8_t op;
  std::string key, value;
};

metapb::Region TheRegion() {
  metapb::Region r;
  r.set_id(2);
  r.set_start_key("b");
  r.set_end_key("y");
  r.add_peers()->set_id(1);
  return r;
}

using Contents = std::map<std::pair<std::string, std::string>, std::string>;  // (cf, key)

Contents Read(const kv::Engine& engine) {
  Contents out;
  for (const std::string& cf : AllCfs()) {
    auto it = engine.NewIterator(cf);
    FUZZ_CHECK(it.ok(), "cannot iterate the kv engine");
    for ((*it)->SeekToFirst(); (*it)->Valid(); (*it)->Next()) {
      out[{cf, std::string((*it)->key())}] = std::string((*it)->value());
    }
  }
  return out;
}

// Writes one cf's records as an SST file at `path`; false when there is nothing to write or
// SstFileWriter refuses (then the snapshot lists the cf with no file).
bool WriteSst(kv::Engine& engine, const std::string& cf, std::vector<Record> records, bool reverse,
              const std::string& path) {
  const rocksdb::Comparator* cmp =
      reverse ? rocksdb::ReverseBytewiseComparator() : rocksdb::BytewiseComparator();
  std::sort(records.begin(), records.end(),
            [&](const Record& a, const Record& b) { return cmp->Compare(a.key, b.key) < 0; });
  auto handle = engine.CfHandle(cf);
  FUZZ_CHECK(handle.ok(), "no handle");
  rocksdb::Options options(rocksdb::DBOptions(), engine.raw_db()->GetOptions(*handle));
  options.env = engine.env();
  options.comparator = cmp;
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), options, *handle);
  if (!writer.Open(path).ok()) return false;
  std::string last;
  bool any = false;
  for (const Record& r : records) {
    if (any && r.key == last) continue;
    rocksdb::Status s = r.op == 0   ? writer.Put(r.key, r.value)
                        : r.op == 1 ? writer.Delete(r.key)
                                    : writer.DeleteRange(r.key, r.value);
    if (s.ok()) any = true;
    last = r.key;
  }
  return any && writer.Finish().ok();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string control;
  std::map<std::string, std::vector<Record>> records;
  std::set<std::string> put_keys;
  fuzz::ForEachFrame(data, size, [&](const uint8_t* frame, size_t len, int step) {
    const std::string bytes(reinterpret_cast<const char*>(frame), len);
    if (step == 0) {
      control = bytes;
      return;
    }
    if (len < 3) return;
    const size_t key_len = std::min<size_t>(frame[2], len - 3);
    Record r{static_cast<uint8_t>(frame[1] % 3), bytes.substr(3, key_len),
             bytes.substr(3 + key_len)};
    if (r.op == 0) put_keys.insert(r.key);
    records[AllCfs()[frame[0] % AllCfs().size()]].push_back(std::move(r));
  });
  const uint8_t flags = control.empty() ? 0 : control[0];
  const size_t offset =
      control.size() < 3
          ? 0
          : (static_cast<uint8_t>(control[1]) << 8 | static_cast<uint8_t>(control[2]));
  const std::string patch = control.size() > 3 ? control.substr(3) : "";

  // Never destroyed: RocksDB's own statics may be gone by the time exit would close them.
  static fuzz::ReusedEngines& engines = *new fuzz::ReusedEngines;
  kv::Engine& kv = *engines.Empty().kv;
  const std::shared_ptr<rocksdb::Env>& env = engines.env();
  for (const std::string& cf : AllCfs()) {
    for (const char* key : {"a", "b", "m", "y", "z"}) {
      FUZZ_CHECK(kv.PutCF(cf, key, std::string("old ") + key + " in " + cf).ok(), "put");
    }
  }
  const Contents before = Read(kv);

  raftstore::snap::SnapManager mgr(env, "/fuzz/snap");
  FUZZ_CHECK(env->CreateDirIfMissing("/fuzz/snap").ok(), "snapshot directory");
  std::vector<std::string> left;  // by the input before
  if (env->GetChildren("/fuzz/snap", &left).ok()) {
    for (const std::string& f : left) env->DeleteFile("/fuzz/snap/" + f).PermitUncheckedError();
  }
  const SnapKey key{2, 5, 10};
  raft_serverpb::RaftSnapshotData snap;
  *snap.mutable_region() = TheRegion();
  const std::vector<std::string>& cfs = AllCfs();
  for (size_t i = 0; i < cfs.size(); ++i) {
    // Flag 8: the file of one cf is sent as the next one's; the meta cf is listed as such only
    // when it has records (a listing the transfer would refuse, checked here all the same).
    const std::string& listed = (flags & 8) ? cfs[(i + 1) % cfs.size()] : cfs[i];
    if (listed == "raft" && records["raft"].empty() && !(flags & 8)) continue;
    raft_serverpb::SnapshotCFFile* f = snap.mutable_meta()->add_cf_files();
    f->set_cf(listed);
    const std::string path = mgr.CfFilePath(key, listed);
    if (!WriteSst(kv, cfs[i], records[cfs[i]], flags & 1, path)) continue;
    std::string bytes;
    FUZZ_CHECK(rocksdb::ReadFileToString(env.get(), path, &bytes).ok(), "read back");
    if ((flags & 2) && !bytes.empty()) {
      for (size_t j = 0; j < patch.size(); ++j) bytes[(offset + j) % bytes.size()] ^= patch[j];
    }
    if ((flags & 4) && offset < bytes.size()) bytes.resize(offset);
    FUZZ_CHECK(rocksdb::WriteStringToFile(env.get(), bytes, path).ok(), "write back");
    // The sender's checksums match whatever it sends.
    auto sum = raftstore::snap::SizeAndChecksum(env.get(), path);
    FUZZ_CHECK(sum.ok(), "checksum");
    f->set_size(sum->first);
    f->set_checksum(sum->second);
  }

  kv::Status s = raftstore::snap::IngestRegionSnapshot(kv, key, snap, mgr);
  const Contents after = Read(kv);
  if (!s.ok()) {
    FUZZ_CHECK(!s.ToString().empty(), "an error without a message");
    if (after != before) std::fprintf(stderr, "the refusal: %s\n", s.ToString().c_str());
    FUZZ_CHECK(after == before, "a refused snapshot changed the engine");
    return 0;
  }
  auto in_region = [](const std::string& k) { return k >= "b" && k < "y"; };
  for (const auto& [ck, value] : before) {
    if (ck.first == "raft" || !in_region(ck.second)) {
      auto it = after.find(ck);
      FUZZ_CHECK(it != after.end() && it->second == value,
                 "an applied snapshot changed a key outside the region or the meta cf");
    }
  }
  for (const auto& [ck, value] : after) {
    if (ck.first == "raft" || !in_region(ck.second)) {
      FUZZ_CHECK(before.count(ck),
                 "an applied snapshot added a key outside the region or to the meta cf");
    } else {
      FUZZ_CHECK(put_keys.count(ck.second),
                 "an applied snapshot left a key it did not put in the region");
    }
  }
  return 0;
}
