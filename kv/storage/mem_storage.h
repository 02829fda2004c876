#pragma once

// A Storage in memory, for tests of the code above storage (the raw API, transactions): no
// RocksDB, no files. Column families default, lock and write. Readers see a consistent view:
// a write made while readers are open copies the column family it changes (copy on write),
// so an open reader keeps the maps it started with.
//
// Thread-safe. Start and Stop do nothing; the data lives as long as the object.

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "kv/storage/storage.h"

namespace kv {

class MemStorage : public Storage {
 public:
  MemStorage();

  Status Start() override { return Status::OK(); }
  Status Stop() override { return Status::OK(); }
  Status Write(const kvrpcpb::Context& ctx, const std::vector<Modify>& batch) override;
  Result<std::unique_ptr<StorageReader>> Reader(const kvrpcpb::Context& ctx) override;

  // For tests: the number of keys in `cf` (0 for an unknown one).
  size_t Len(std::string_view cf) const;

  using CfMap = std::map<std::string, std::string, std::less<>>;

 private:
  // cf name -> its keys. A reader holds shared_ptrs to the maps it saw.
  std::map<std::string, std::shared_ptr<CfMap>, std::less<>> cfs_;
  mutable std::mutex mu_;
};

}  // namespace kv
