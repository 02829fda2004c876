#pragma once

// What a StandaloneStorage is opened with (the part of TinyKV's config.Config that lab 1
// uses).

#include <rocksdb/env.h>

#include <memory>
#include <string>

namespace kv {

struct StandaloneConfig {
  // The directory of the kv engine.
  std::string db_path;
  // The file system: nullptr for the real one; tests pass kv::NewInMemoryEnv() so that a
  // restart (Stop, then a new storage on the same db_path and env) finds the data again.
  std::shared_ptr<rocksdb::Env> env;
  // Whether Write returns only once the batch is on stable storage (fsync). Off by default,
  // as in TinyKV: a crash may lose the last writes, but never half of a batch.
  bool sync_writes = false;
};

}  // namespace kv
