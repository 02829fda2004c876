#pragma once

// The storage the KV server writes to and reads from. Lab 1's StandaloneStorage implements it
// on one RocksDB engine; lab 2B's RaftStorage implements it by replicating every write through
// Raft. The server code above it (the raw API of lab 1) does not know which one it has.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kv/engine_util/iterator.h"
#include "kv/engine_util/status.h"
#include "kv/storage/modify.h"
#include "proto/kvrpcpb.pb.h"

namespace kv {

// A read-only view of the storage at one point in time: everything it returns, including
// through its iterators, reflects the storage as it was when Storage::Reader made it, even
// while other writes go on. Destroying the reader closes it.
class StorageReader {
 public:
  virtual ~StorageReader() = default;

  // The value at `key` in column family `cf`; std::nullopt when the key does not exist (which
  // is not an error). An error for an unknown column family or a failing engine.
  virtual Result<std::optional<std::string>> GetCF(std::string_view cf, std::string_view key) = 0;

  // An iterator over column family `cf`, unpositioned (call Seek first). Its keys are the
  // user's keys, without any column family prefix. It may outlive Close, but must be
  // destroyed before the storage stops.
  virtual Result<std::unique_ptr<DBIterator>> IterCF(std::string_view cf) = 0;

  // Releases the view. Later GetCF/IterCF calls fail. Closing twice is harmless.
  virtual void Close() = 0;
};

class Storage {
 public:
  virtual ~Storage() = default;

  // Opens what the storage needs (engines, workers). Called once before any other call.
  virtual Status Start() = 0;
  // Closes it; everything written before stays (a new storage on the same directory finds
  // it). Readers and their iterators must be destroyed first.
  virtual Status Stop() = 0;

  // Applies `batch` atomically (all of it or none) in order. `ctx` says which region the
  // write is for (used by lab 2B's RaftStorage; ignored by StandaloneStorage).
  virtual Status Write(const kvrpcpb::Context& ctx, const std::vector<Modify>& batch) = 0;

  // A consistent read-only view (see StorageReader).
  virtual Result<std::unique_ptr<StorageReader>> Reader(const kvrpcpb::Context& ctx) = 0;
};

}  // namespace kv
