#pragma once

// The two engines of a store, as in TinyKV: `kv` (user data in default/lock/write, plus
// RaftApplyState and RegionLocalState in raft) and `raft` (the raft log and RaftLocalState).
// Engines::Open(dir) puts them at dir/kv and dir/raft.

#include <memory>
#include <string>

#include "kv/engine_util/engine.h"
#include "kv/engine_util/status.h"
#include "kv/engine_util/write_batch.h"

namespace kv {

struct Engines {
  std::unique_ptr<Engine> kv;
  std::unique_ptr<Engine> raft;
  std::string kv_path;
  std::string raft_path;

  // Opens (creating if missing) dir/kv and dir/raft on `env` (nullptr: the real file
  // system). Creates `dir` too.
  static Result<Engines> Open(const std::string& dir, std::shared_ptr<rocksdb::Env> env = nullptr);
  // Opens two engines with options of their own.
  static Result<Engines> Open(EngineOptions kv_options, EngineOptions raft_options);

  Status WriteKV(const WriteBatch& batch, bool sync = false) { return kv->Write(batch, sync); }
  Status WriteRaft(const WriteBatch& batch, bool sync = false) { return raft->Write(batch, sync); }

  // Closes both (the first error is returned; both are attempted). Reopen with Open.
  Status Close();
  // Closes both and deletes their files.
  Status Destroy();
};

}  // namespace kv
