#pragma once
// Opening a store's RocksDB engines costs far more CPU than a fuzz input's own work (tens of
// milliseconds against a few), so a target keeps its engines (on an in-memory file system) for
// many inputs: each input gets them empty, every column family range-deleted, which is all the
// targets' checks can tell apart from new engines. Every kInputsPerOpen inputs they are opened
// afresh, so what earlier inputs left behind (deleted data, ingested files) is freed.
#include <memory>
#include <string>

#include "fuzz/fuzz_check.h"
#include "kv/engine_util/engine.h"
#include "kv/engine_util/engines.h"
#include "kv/engine_util/write_batch.h"

namespace fuzz {

class ReusedEngines {
 public:
  static constexpr int kInputsPerOpen = 64;

  // The engines at /fuzz/kv and /fuzz/raft, holding nothing, and their file system.
  kv::Engines& Empty() {
    if (uses_ % kInputsPerOpen == 0) {
      engines_ = kv::Engines();  // closes the old ones before their env goes
      env_ = kv::NewInMemoryEnv();
      auto opened = kv::Engines::Open("/fuzz", env_);
      FUZZ_CHECK(opened.ok(), "cannot open the engines");
      engines_ = std::move(opened).value();
    } else {
      for (kv::Engine* e : {engines_.kv.get(), engines_.raft.get()}) {
        kv::WriteBatch clear;
        for (const std::string& cf : e->column_families()) clear.DeleteRangeCF(cf, "", "");
        FUZZ_CHECK(e->Write(clear, /*sync=*/false).ok(), "cannot empty an engine");
      }
    }
    ++uses_;
    return engines_;
  }

  const std::shared_ptr<rocksdb::Env>& env() const { return env_; }

 private:
  int uses_ = 0;
  std::shared_ptr<rocksdb::Env> env_;
  kv::Engines engines_;
};

}  // namespace fuzz
