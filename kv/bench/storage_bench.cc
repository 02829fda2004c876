// Throughput of the Storage interface on RocksDB on disk (StandaloneStorage):
// puts/s without and with sync, batched puts, gets/s, scanned keys/s.
//
//   bazel run -c opt --config=reference //kv/bench:storage_bench -- [--dir=/path]
//       [--keys=200000] [--sync_keys=2000] [--value_size=100] [--keep]
//
// With the student build it measures the student's StandaloneStorage (and stops at the first
// error while lab 1 is not written yet).

#include <rocksdb/env.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "bench/flags.h"
#include "kv/engine_util/cf.h"
#include "kv/storage/standalone_storage/standalone_storage.h"

namespace kv {
namespace {

struct Options {
  std::string dir;
  uint64_t keys = 200000;
  uint64_t sync_keys = 2000;
  uint64_t value_size = 100;
  bool keep = false;
};

Options ParseFlags(int argc, char** argv) {
  Options o;
  bench::Flags flags("storage_bench",
                     "[--dir=PATH] [--keys=N] [--sync_keys=N] [--value_size=BYTES] [--keep]");
  flags.Add("dir", &o.dir)
      .Add("keys", &o.keys)
      .Add("sync_keys", &o.sync_keys)
      .Add("value_size", &o.value_size)
      .Add("keep", &o.keep);
  flags.Parse(argc, argv);
  return o;
}

std::string Key(size_t i) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "key%012zu", i);
  return buf;
}

void Check(const Status& s, const char* what) {
  if (s.ok()) return;
  std::fprintf(stderr, "storage_bench: %s: %s\n", what, s.ToString().c_str());
  std::exit(1);
}

// Runs `body` and prints "<name>  <n> ops in <t> s  = <n/t> <unit>/s".
void Measure(const char* name, size_t n, const char* unit, const std::function<void()>& body) {
  auto start = std::chrono::steady_clock::now();
  body();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%-34s %9zu %-5s in %7.3f s  = %12.0f %s/s\n", name, n, unit, secs, n / secs, unit);
}

std::unique_ptr<StandaloneStorage> StartStorage(const std::string& path, bool sync) {
  StandaloneConfig config;
  config.db_path = path;
  config.sync_writes = sync;
  auto storage = std::make_unique<StandaloneStorage>(config);
  Check(storage->Start(), ("start a storage at " + path).c_str());
  return storage;
}

int Run(const Options& flags) {
  std::string dir = flags.dir;
  if (dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr ? tmp : "/tmp") + "/storage_bench.XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data()) == nullptr) {
      std::perror("mkdtemp");
      return 1;
    }
    dir = buf.data();
  } else if (!rocksdb::Env::Default()->CreateDirIfMissing(dir).ok()) {
    std::fprintf(stderr, "storage_bench: cannot create %s (does its parent exist?)\n", dir.c_str());
    return 1;
  }
  std::printf("storage_bench: StandaloneStorage on RocksDB at %s\n", dir.c_str());
  std::printf("  %zu keys of %zu bytes, values of %zu bytes; %zu synced puts\n\n", flags.keys,
              Key(0).size(), flags.value_size, flags.sync_keys);

  kvrpcpb::Context ctx;
  const std::string value(flags.value_size, 'v');
  std::mt19937_64 rng(1);
  std::vector<size_t> order(flags.keys);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);

  {
    std::unique_ptr<StandaloneStorage> storage = StartStorage(dir + "/nosync", false);
    Measure("put, no sync (1 per Write)", flags.keys, "puts", [&] {
      for (size_t i : order) {
        Check(storage->Write(ctx, {Modify::Put(kCfDefault, Key(i), value)}), "put");
      }
    });
    constexpr size_t kBatch = 100;
    Measure("put, no sync (100 per Write)", flags.keys, "puts", [&] {
      std::vector<Modify> batch;
      for (size_t i : order) {
        batch.push_back(Modify::Put(kCfWrite, Key(i), value));
        if (batch.size() == kBatch) {
          Check(storage->Write(ctx, batch), "batched put");
          batch.clear();
        }
      }
      if (!batch.empty()) Check(storage->Write(ctx, batch), "batched put");
    });

    Measure("get, one Reader per get", flags.keys, "gets", [&] {
      for (size_t i : order) {
        Result<std::unique_ptr<StorageReader>> r = storage->Reader(ctx);
        Check(r.status(), "reader");
        Result<std::optional<std::string>> v = (*r)->GetCF(kCfDefault, Key(i));
        Check(v.status(), "get");
        if (!v->has_value()) Check(Status::Internal("key " + Key(i) + " is missing"), "get");
      }
    });
    Measure("get, one Reader for all", flags.keys, "gets", [&] {
      Result<std::unique_ptr<StorageReader>> r = storage->Reader(ctx);
      Check(r.status(), "reader");
      for (size_t i : order) {
        Result<std::optional<std::string>> v = (*r)->GetCF(kCfDefault, Key(i));
        Check(v.status(), "get");
        if (!v->has_value()) Check(Status::Internal("key " + Key(i) + " is missing"), "get");
      }
    });
    Measure("scan (IterCF over the whole cf)", flags.keys, "keys", [&] {
      Result<std::unique_ptr<StorageReader>> r = storage->Reader(ctx);
      Check(r.status(), "reader");
      Result<std::unique_ptr<DBIterator>> it = (*r)->IterCF(kCfDefault);
      Check(it.status(), "iterator");
      size_t n = 0;
      for ((*it)->Seek(""); (*it)->Valid(); (*it)->Next()) n++;
      Check((*it)->status(), "scan");
      if (n != flags.keys) Check(Status::Internal("scan saw " + std::to_string(n)), "scan");
    });
    Check(storage->Stop(), "stop");
  }
  {
    std::unique_ptr<StandaloneStorage> storage = StartStorage(dir + "/sync", true);
    Measure("put, sync (1 per Write)", flags.sync_keys, "puts", [&] {
      for (size_t i = 0; i < flags.sync_keys; i++) {
        Check(storage->Write(ctx, {Modify::Put(kCfDefault, Key(order[i]), value)}), "sync put");
      }
    });
    Check(storage->Stop(), "stop");
  }

  if (!flags.keep && flags.dir.empty()) {
    std::string cmd = "rm -rf '" + dir + "'";
    if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "could not remove %s\n", dir.c_str());
  }
  return 0;
}

}  // namespace
}  // namespace kv

int main(int argc, char** argv) { return kv::Run(kv::ParseFlags(argc, argv)); }
