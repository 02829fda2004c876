#pragma once

// The RocksDB backend of an Engine: one RocksDB instance with a column family per engine
// column family (see engine.h for what the options mean). Private to kv/engine_util.

#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <memory>
#include <string>
#include <vector>

#include "kv/engine_util/backend.h"
#include "kv/engine_util/engine.h"

namespace kv {

// RocksDB's options for an engine (also what its region snapshots' SST files are written with).
rocksdb::Options RocksOptions(const EngineOptions& options);

// Opens the RocksDB instance at options.path with the column families `cfs`. Statuses carry
// RocksDB's message only; Engine::Open adds the context.
Result<std::unique_ptr<Backend>> OpenRocksBackend(const EngineOptions& options,
                                                  const std::vector<std::string>& cfs);
Status DestroyRocksBackend(const EngineOptions& options);

}  // namespace kv
