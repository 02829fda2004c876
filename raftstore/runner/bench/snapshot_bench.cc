// Snapshot throughput: how fast the region worker generates a region snapshot (RegionTaskGen:
// scan a consistent engine snapshot, write SST files, checksum them), moves it (chunked,
// checksummed, in-process) and applies it (RegionTaskApply: verify, clear the range, ingest),
// next to a plain copy of the same number of bytes (write a file + fsync, read it back).
//
//   bazel run -c opt //raftstore/runner/bench:snapshot_bench -- [--dir=/path] [--mib=64]
//       [--value_size=1024] [--reps=3] [--chunk_kib=1024] [--keep]
//
// Everything runs on the real file system and the demo's RealRuntime (worker threads, real
// clock); the figures are MB/s of region data (keys + values), 1 MB = 2^20 bytes.

#include <fcntl.h>
#include <rocksdb/env.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <future>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench/flags.h"
#include "kv/engine_util/cf.h"
#include "kv/engine_util/cf_iterator.h"
#include "kv/engine_util/engines.h"
#include "kv/engine_util/write_batch.h"
#include "proto/eraftpb.pb.h"
#include "proto/metapb.pb.h"
#include "proto/raft_serverpb.pb.h"
#include "raftstore/meta/keys.h"
#include "raftstore/runner/region_task.h"
#include "raftstore/runtime/real_runtime.h"
#include "raftstore/snap/checksum.h"
#include "raftstore/snap/snap_manager.h"

namespace raftstore::runner {
namespace {

struct Options {
  std::string dir;
  uint64_t mib = 64;
  uint64_t value_size = 1024;
  int reps = 3;
  uint64_t chunk_kib = 1024;
  bool keep = false;
};

Options ParseFlags(int argc, char** argv) {
  Options o;
  bench::Flags flags("snapshot_bench",
                     "[--dir=PATH] [--mib=N] [--value_size=BYTES] [--reps=N] [--chunk_kib=N] "
                     "[--keep]");
  flags.Add("dir", &o.dir)
      .Add("mib", &o.mib)
      .Add("value_size", &o.value_size)
      .Add("reps", &o.reps)
      .Add("chunk_kib", &o.chunk_kib)
      .Add("keep", &o.keep);
  flags.Parse(argc, argv);
  if (o.reps < 1 || o.chunk_kib < 1 || o.value_size < 1) {
    flags.Fail("--reps, --chunk_kib and --value_size must be at least 1");
  }
  return o;
}

void Check(const kv::Status& s, const std::string& what) {
  if (s.ok()) return;
  std::fprintf(stderr, "snapshot_bench: %s: %s\n", what.c_str(), s.ToString().c_str());
  std::exit(1);
}

double Seconds(const std::function<void()>& body) {
  auto start = std::chrono::steady_clock::now();
  body();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

constexpr uint64_t kRegionId = 2;
constexpr double kMiB = 1024.0 * 1024.0;

// A store on disk: engines at dir/kv and dir/raft, snapshots at dir/snap.
struct Store {
  Store(const std::string& dir, runtime::Runtime* rt, uint64_t id) {
    if (!rocksdb::Env::Default()->CreateDirIfMissing(dir).ok()) {
      Check(kv::Status::IOError("cannot create " + dir), "mkdir");
    }
    kv::EngineOptions kvo, rafto;
    kvo.path = dir + "/kv";
    kvo.write_buffer_size = 64 << 20;  // throughput, not a test cluster's footprint
    rafto.path = dir + "/raft";
    auto e = kv::Engines::Open(kvo, rafto);
    Check(e.status(), "open engines at " + dir);
    engines = std::move(*e);
    mgr = std::make_unique<snap::SnapManager>(nullptr, dir + "/snap");
    worker = std::make_unique<RegionTaskHandler>(&engines, mgr.get(), rt, id);
  }
  ~Store() {
    worker.reset();
    Check(engines.Close(), "close engines");
  }
  kv::Engines engines;
  std::unique_ptr<snap::SnapManager> mgr;
  std::unique_ptr<RegionTaskHandler> worker;
};

std::string Key(size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "r%015zu", i);
  return buf;
}

// Fills the region [r, s) with `bytes` of keys + values (random, incompressible values) and
// writes its region and apply state; returns the number of keys. Flushed, so the generation
// reads SST files as a long-running store would.
size_t Populate(Store& store, size_t bytes, size_t value_size) {
  std::mt19937_64 rng(42);
  std::string value(value_size, '\0');
  kv::WriteBatch wb;
  size_t n = 0, written = 0;
  while (written < bytes) {
    for (size_t j = 0; j < value_size; j += 8) {
      uint64_t r = rng();
      std::memcpy(&value[j], &r, std::min<size_t>(8, value_size - j));
    }
    std::string key = Key(n++);
    wb.SetCF(kv::kCfDefault, key, value);
    written += key.size() + value.size();
    if (wb.ByteSize() >= (4u << 20)) {
      Check(store.engines.kv->Write(wb, false), "populate");
      wb.Reset();
    }
  }
  metapb::Region region;
  region.set_id(kRegionId);
  region.set_start_key("r");
  region.set_end_key("s");
  for (uint64_t p = 1; p <= 3; p++) {
    auto* peer = region.add_peers();
    peer->set_id(p + 2);
    peer->set_store_id(p);
  }
  raft_serverpb::RegionLocalState rs;
  *rs.mutable_region() = region;
  wb.SetMeta(raftstore::meta::RegionStateKey(kRegionId), rs);
  raft_serverpb::RaftApplyState as;
  as.set_applied_index(100);
  as.mutable_truncated_state()->set_index(100);
  as.mutable_truncated_state()->set_term(6);
  wb.SetMeta(raftstore::meta::ApplyStateKey(kRegionId), as);
  Check(store.engines.kv->Write(wb, false), "populate");
  rocksdb::FlushOptions fo;
  auto s = store.engines.kv->raw_db()->Flush(fo, store.engines.kv->raw_db()->DefaultColumnFamily());
  if (!s.ok()) Check(kv::Status::IOError(s.ToString()), "flush");
  return n;
}

size_t CountRegionKeys(Store& store) {
  auto it = store.engines.kv->NewIterator(kv::kCfDefault);
  Check(it.status(), "iterator");
  size_t n = 0;
  for ((*it)->Seek("r"); (*it)->Valid() && (*it)->key() < "s"; (*it)->Next()) n++;
  return n;
}

// The baseline: writes `bytes` to a new file in 1 MiB writes, fsyncs, then reads it back.
std::pair<double, double> PlainCopy(const std::string& path, size_t bytes) {
  std::vector<char> buf(1 << 20);
  std::mt19937_64 rng(7);
  for (auto& c : buf) c = static_cast<char>(rng());
  double write_s = Seconds([&] {
    int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
    if (fd < 0) std::perror("open"), std::exit(1);
    for (size_t done = 0; done < bytes;) {
      size_t n = std::min(buf.size(), bytes - done);
      if (::write(fd, buf.data(), n) != static_cast<ssize_t>(n)) std::perror("write"), std::exit(1);
      done += n;
    }
    if (::fsync(fd) != 0) std::perror("fsync"), std::exit(1);
    ::close(fd);
  });
  double read_s = Seconds([&] {
    int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0) std::perror("open"), std::exit(1);
    size_t total = 0;
    for (ssize_t n; (n = ::read(fd, buf.data(), buf.size())) > 0;) total += n;
    ::close(fd);
    if (total != bytes) std::fprintf(stderr, "short read\n"), std::exit(1);
  });
  ::unlink(path.c_str());
  return {write_s, read_s};
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int Run(const Options& flags) {
  std::string dir = flags.dir;
  if (dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr ? tmp : "/tmp") + "/snapshot_bench.XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data()) == nullptr) {
      std::perror("mkdtemp");
      return 1;
    }
    dir = buf.data();
  }
  const size_t bytes = flags.mib << 20;
  runtime::RealRuntime rt(1);
  auto leader = std::make_unique<Store>(dir + "/leader", &rt, 1);
  const size_t keys = Populate(*leader, bytes, flags.value_size);
  std::printf("snapshot_bench: region of %zu MiB (%zu keys, values of %zu bytes) at %s\n",
              flags.mib, keys, flags.value_size, dir.c_str());
  std::printf("  median of %d runs; MB/s of region data (keys + values)\n\n", flags.reps);

  std::vector<double> gen_s, move_s, apply_s, write_s, read_s, scan_s, crc_s;
  uint64_t file_bytes = 0;
  for (int rep = 0; rep < flags.reps; rep++) {
    auto follower = std::make_unique<Store>(dir + "/follower" + std::to_string(rep), &rt, 2 + rep);
    // Stale data in the region that the snapshot must replace.
    for (size_t i = 0; i < 1000; i++) {
      Check(follower->engines.kv->PutCF(kv::kCfDefault, Key(i * 7 + 1), "stale"), "stale put");
    }

    eraftpb::Snapshot snapshot;
    gen_s.push_back(Seconds([&] {
      std::promise<kv::Result<eraftpb::Snapshot>> done;
      leader->worker->Schedule(RegionTaskGen{
          kRegionId, [&](kv::Result<eraftpb::Snapshot> r) { done.set_value(std::move(r)); }});
      auto r = done.get_future().get();
      Check(r.status(), "generate");
      snapshot = std::move(*r);
    }));
    raft_serverpb::RaftSnapshotData data;
    data.ParseFromString(snapshot.data());
    file_bytes = data.file_size();
    const snap::SnapKey key{kRegionId, snapshot.metadata().term(), snapshot.metadata().index()};

    move_s.push_back(Seconds([&] {
      auto chunks = leader->mgr->ReadChunks(key, data, flags.chunk_kib << 10);
      Check(chunks.status(), "read chunks");
      for (const auto& c : *chunks) Check(follower->mgr->ReceiveChunk(c, data), "receive");
      Check(follower->mgr->FinishReceive(key, data), "finish receive");
    }));

    RegionTaskApply apply;
    apply.region_id = kRegionId;
    apply.snap_meta = snapshot.metadata();
    apply.snap_data = data;
    apply.start_key = data.region().start_key();
    apply.end_key = data.region().end_key();
    kv::Status applied = kv::Status::Internal("not run");
    apply.notifier = [&](kv::Status s) { applied = std::move(s); };
    apply_s.push_back(Seconds([&] { follower->worker->RunAndWait(std::move(apply)); }));
    Check(applied, "apply");
    if (size_t n = CountRegionKeys(*follower); n != keys) {
      std::fprintf(stderr, "snapshot_bench: follower has %zu keys in the region, leader %zu\n", n,
                   keys);
      return 1;
    }
    Check(leader->mgr->Delete(key), "delete leader's snapshot files");
    follower.reset();

    // Where the time goes: iterating the region alone, and checksumming its bytes once.
    scan_s.push_back(Seconds([&] {
      if (CountRegionKeys(*leader) != keys) std::fprintf(stderr, "scan saw too few keys\n");
    }));
    crc_s.push_back(Seconds([&] {
      std::string block(1 << 20, 'x');
      uint32_t crc = 0;
      for (size_t done = 0; done < bytes; done += block.size()) crc = snap::Crc32c(block, crc);
      if (crc == 1) std::printf(" ");  // keep the loop
    }));

    auto [w, r] = PlainCopy(dir + "/plain_copy", bytes);
    write_s.push_back(w);
    read_s.push_back(r);
  }

  const double mb = bytes / kMiB;
  auto line = [&](const char* name, double secs, const char* note) {
    std::printf("  %-36s %8.3f s  %9.1f MB/s   %s\n", name, secs, mb / secs, note);
  };
  std::printf("  SST files: %.1f MiB for %.1f MiB of data\n\n", file_bytes / kMiB, mb);
  line("generate (RegionTaskGen)", Median(gen_s), "scan + write SSTs + checksum");
  line("transfer (chunks, in-process)", Median(move_s), "read + CRC + write + verify");
  line("apply (RegionTaskApply)", Median(apply_s), "verify + clear + ingest (copy)");
  line("plain copy: write + fsync", Median(write_s), "");
  line("plain copy: read back", Median(read_s), "(page cache)");
  line("plain copy: write + fsync + read", Median(write_s) + Median(read_s), "");
  std::printf("\n  for reference, parts of the above:\n");
  line("scan the region (iterate only)", Median(scan_s), "");
  line("CRC-32C of the bytes", Median(crc_s), "");

  leader.reset();
  if (!flags.keep && flags.dir.empty()) {
    std::string cmd = "rm -rf '" + dir + "'";
    if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "could not remove %s\n", dir.c_str());
  }
  return 0;
}

}  // namespace
}  // namespace raftstore::runner

int main(int argc, char** argv) {
  return raftstore::runner::Run(raftstore::runner::ParseFlags(argc, argv));
}
