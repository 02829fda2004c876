#pragma once

// What a simulated cluster's stores keep their data in. A run (scenario and seed) is the same
// on both: same events, messages, operations and final data (engine_equivalence_test.cc).

namespace raftstore::testing {

// What the stores' engines keep their data in (kv::EngineOptions::memory).
enum class SimEngine {
  // An in-memory map with RocksDB's semantics (kv/engine_util/mem_backend.h): the default,
  // several times cheaper than RocksDB for the same run.
  kMemory,
  // RocksDB on an in-memory file system, as the server runs it but without the disk: to check
  // a run against RocksDB (same seed, same events).
  kRocksDb,
};

// kMemory, or what TINYKV_ENGINE says ("memory" or "rocksdb"; anything else stops the program
// with a message).
SimEngine DefaultSimEngine();
const char* SimEngineName(SimEngine engine);

}  // namespace raftstore::testing
