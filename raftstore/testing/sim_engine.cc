#include "raftstore/testing/sim_engine.h"

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace raftstore::testing {

SimEngine DefaultSimEngine() {
  const char* v = std::getenv("TINYKV_ENGINE");
  if (v == nullptr || *v == '\0' || std::string_view(v) == "memory") return SimEngine::kMemory;
  if (std::string_view(v) == "rocksdb") return SimEngine::kRocksDb;
  std::fprintf(stderr, "TINYKV_ENGINE=%s: expected memory or rocksdb\n", v);
  std::exit(2);
}

const char* SimEngineName(SimEngine engine) {
  return engine == SimEngine::kMemory ? "memory" : "rocksdb";
}

}  // namespace raftstore::testing
