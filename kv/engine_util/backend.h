#pragma once

// What an Engine keeps its data in: RocksDB (rocks_backend.h: on disk, or on an in-memory env
// for tests) or an ordered in-memory map (mem_backend.h: simulated clusters). Engine checks
// arguments, resolves column family names, reports errors with their context and calls the
// write observer; a backend only stores. Private to kv/engine_util.

#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kv/engine_util/status.h"
#include "kv/engine_util/write_batch.h"

namespace kv {

// One point in time of a backend, kept readable until the last holder drops it.
class BackendSnapshot {
 public:
  virtual ~BackendSnapshot() = default;
};

// A position in one column family at one point in time (CfIterator's engine half).
class BackendCursor {
 public:
  virtual ~BackendCursor() = default;
  virtual void Seek(std::string_view key) = 0;
  virtual void SeekToFirst() = 0;
  virtual void SeekToLast() = 0;
  virtual bool Valid() const = 0;
  // Preconditions of Next, Prev, key and value: Valid().
  virtual void Next() = 0;
  virtual void Prev() = 0;
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  // OK, or why the cursor stopped (the caller adds the context).
  virtual Status status() const = 0;
};

// One write of a batch with its column family resolved to an index into the engine's
// column_families(). For a range delete an empty `end` (op->value) means no end.
struct BackendOp {
  const WriteBatch::Op* op;
  size_t cf;
};

// The backend half of Engine::RangeReplacement, which checks the order and range of the keys.
class BackendReplacement {
 public:
  // Without a commit nothing reaches the backend, and files written aside are removed.
  virtual ~BackendReplacement() = default;
  virtual Status Put(size_t cf, std::string_view key, std::string_view value) = 0;
  // Clears the range in each column family and adds the pairs: all of it or nothing.
  virtual Status Commit() = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;

  // Statuses carry no context: Engine annotates them with what was asked.
  // `at` null: the current state.
  virtual Result<std::optional<std::string>> Get(size_t cf, std::string_view key,
                                                 const BackendSnapshot* at) const = 0;
  // All of `ops` or none of them.
  virtual Status Write(const std::vector<BackendOp>& ops, bool sync) = 0;
  virtual std::shared_ptr<const BackendSnapshot> NewSnapshot() const = 0;
  // `at` null: the state when the cursor is made (later writes are not seen).
  virtual std::unique_ptr<BackendCursor> NewCursor(size_t cf, const BackendSnapshot* at) const = 0;
  // New contents for [start, end) (an empty `end`: no end) of the column families `cfs`
  // (Engine::RangeReplacement). `scratch` prefixes the paths, on options.env, of any files it
  // writes before the commit.
  virtual Result<std::unique_ptr<BackendReplacement>> NewReplacement(
      std::string_view start, std::string_view end, const std::vector<size_t>& cfs,
      const std::string& scratch, const rocksdb::Options& options) = 0;
  // Readers are gone (Engine checks); after Close nothing else is called.
  virtual Status Close() = 0;

  // RocksDB's own objects, for the RocksDB backend only (null otherwise).
  virtual rocksdb::DB* raw_db() const { return nullptr; }
  virtual rocksdb::ColumnFamilyHandle* handle(size_t /*cf*/) const { return nullptr; }
};

}  // namespace kv
