#pragma once

// Lab 1: a Storage on a single RocksDB engine, with no replication (TinyKV's
// StandAloneStorage). Everything the KV server reads and writes goes through it until lab 2B
// replaces it with RaftStorage.
//
// Tools: kv/engine_util (Engine::Open with Engine::Kind::kKv, WriteBatch, Engine::Write,
// Engine::NewSnapshot, EngineSnapshot::GetCF / NewIterator). See docs/lab1.md.

#include <memory>
#include <vector>

#include "kv/engine_util/engine.h"
#include "kv/engine_util/status.h"
#include "kv/storage/standalone_storage/standalone_config.h"
#include "kv/storage/storage.h"

namespace kv {

class StandaloneStorage : public Storage {
 public:
  explicit StandaloneStorage(StandaloneConfig config);
  // Stops the storage if it is still running.
  ~StandaloneStorage() override;

  // Opens the kv engine (column families default, lock, write) at config.db_path on
  // config.env, creating it if it does not exist. Returns the engine's error if it cannot.
  Status Start() override;

  // Closes the engine. Everything written stays: a new StandaloneStorage started on the same
  // db_path and env reads it back. Stopping a storage that is not started is OK.
  Status Stop() override;

  // Applies every Modify of `batch` to the engine, in order and atomically (all or nothing),
  // syncing if config.sync_writes. A Modify naming a column family the engine does not have
  // fails the whole batch. `ctx` is not used by a standalone storage.
  Status Write(const kvrpcpb::Context& ctx, const std::vector<Modify>& batch) override;

  // A StorageReader over one consistent view of the engine: reads through it (GetCF, IterCF)
  // must not see writes made after Reader returned. Missing keys are std::nullopt, not errors.
  Result<std::unique_ptr<StorageReader>> Reader(const kvrpcpb::Context& ctx) override;

 private:
  StandaloneConfig config_;
  // Your Code Here (1).
  // Add what the storage keeps between calls (for example the engine).
};

}  // namespace kv
