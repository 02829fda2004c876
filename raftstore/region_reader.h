#pragma once

// RegionReader: the StorageReader RaftStorage hands out (TinyKV's RegionReader). It reads a
// snapshot of the kv engine taken when a Snap command was applied, and only inside the
// region's key range: a key outside it is a KeyNotInRegion error, and iterators stop at the
// region's end key.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "kv/engine_util/snapshot.h"
#include "kv/storage/storage.h"
#include "proto/metapb.pb.h"

namespace raftstore {

class RegionReader : public kv::StorageReader {
 public:
  RegionReader(std::shared_ptr<kv::EngineSnapshot> txn, metapb::Region region)
      : txn_(std::move(txn)), region_(std::move(region)) {}

  kv::Result<std::optional<std::string>> GetCF(std::string_view cf, std::string_view key) override;
  kv::Result<std::unique_ptr<kv::DBIterator>> IterCF(std::string_view cf) override;
  void Close() override { txn_.reset(); }

  const metapb::Region& region() const { return region_; }

 private:
  std::shared_ptr<kv::EngineSnapshot> txn_;
  metapb::Region region_;
};

}  // namespace raftstore
