#pragma once

// A storage engine with a fixed set of column families: the kv engine (user data and
// apply/region state) or the raft engine (raft log and RaftLocalState). A store has one of
// each (see Engines). The data lives in RocksDB (the server, the demo, most tests), or in an
// ordered in-memory map with the same semantics (EngineOptions::memory: simulated clusters,
// where RocksDB's CPU cost would dominate every run).
//
// Thread safety: reads, writes, snapshots and iterators may be used from several threads at
// once (RocksDB's guarantees; the in-memory backend locks). Close and the destructor must not
// race with anything.
// Lifetime: every EngineSnapshot and iterator made by an engine must be destroyed before the
// engine closes; Close refuses (kBusy) while any are open.

#include <google/protobuf/message_lite.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/sst_file_writer.h>

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kv/engine_util/status.h"
#include "kv/engine_util/write_batch.h"

namespace kv {

class Backend;
class BackendReplacement;
class BackendSnapshot;
class CfIterator;
class EngineSnapshot;
class MemoryEngines;
class RangeReplacement;

// A file system that lives in memory (rocksdb::NewMemEnv): what tests open engines on, so a
// "restart" (close, then open the same path on the same env) keeps the data without touching
// the disk. Share one env between everything that should see the same files.
std::shared_ptr<rocksdb::Env> NewInMemoryEnv();

// Where in-memory engines keep their data, by path: what an engine wrote is found again by the
// next Open of the same path with the same MemoryEngines, as a RocksDB engine's files are on
// the same env. Share one between everything that should see the same engines.
std::shared_ptr<MemoryEngines> NewMemoryEngines();

struct EngineOptions {
  // The engine's directory. RocksDB creates it, but not its parents.
  std::string path;
  // The file system: nullptr for the real one, or NewInMemoryEnv(). The engine keeps a
  // reference, so the env lives at least as long as the engine.
  std::shared_ptr<rocksdb::Env> env;
  bool create_if_missing = true;
  // Fail to open a directory that already holds an engine.
  bool error_if_exists = false;
  // RocksDB's memtable size per column family. Smaller than RocksDB's default (64 MiB) so that
  // a test cluster of many engines stays light; raise it for throughput.
  size_t write_buffer_size = 4 << 20;
  // Write without RocksDB's write-ahead log; Close flushes the memtables instead, so a clean
  // close and reopen keeps everything. For simulated clusters, whose "crash" is such a close:
  // it saves logging every write and replaying the whole log at every restart. A real crash
  // (process killed) loses what was not flushed, so never for the demo server.
  bool disable_wal = false;
  // Sync the write-ahead log on every write, whatever the caller asked: a write then survives
  // a power failure, not only a killed process (the live server's --sync-wal).
  bool sync_writes = false;
  // Set: the engine keeps its data here, in memory, instead of in RocksDB (write_buffer_size,
  // disable_wal and sync_writes do not apply; env still holds the region snapshots' files).
  // Only for simulations: nothing reaches the disk.
  std::shared_ptr<MemoryEngines> memory;
};

class Engine {
 public:
  enum class Kind {
    // Column families default, lock, write (user data) and raft (meta).
    kKv,
    // Column families default and raft (meta: raft log entries, RaftLocalState).
    kRaft,
  };

  // Opens (or creates) the engine at options.path. Errors: kInvalidArgument when the directory
  // does not exist and create_if_missing is false, or holds other column families (e.g. a
  // raft engine opened as a kv engine); kBusy when another open engine holds the directory's
  // lock; kCorruption when its files are damaged; kIOError when the file system fails.
  static Result<std::unique_ptr<Engine>> Open(Kind kind, EngineOptions options);

  // Deletes the engine's files and directory. The engine must not be open.
  static Status Destroy(const EngineOptions& options);

  // Closes the engine if it is still open (see Close); an engine that cannot close (open
  // readers) is left open rather than freed under them, and says so on stderr.
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Closes the engine; every later call answers kInvalidArgument. Everything written (sync or
  // not) is found again by the next Open of the same path on the same env. kBusy, and the
  // engine stays open, while snapshots or iterators are still alive. Closing twice is OK.
  Status Close();
  bool closed() const { return backend_ == nullptr; }
  // True for an engine on EngineOptions::memory.
  bool in_memory() const { return options_.memory != nullptr; }

  Kind kind() const { return kind_; }
  const std::string& path() const { return options_.path; }
  const EngineOptions& options() const { return options_; }
  // The column families this engine has, e.g. {default, lock, write, raft}.
  const std::vector<std::string>& column_families() const { return cf_names_; }
  bool HasCf(std::string_view cf) const;

  // The value at `key` in `cf`: std::nullopt when the key does not exist (not an error; an
  // empty value is a value). kInvalidArgument for an unknown column family.
  Result<std::optional<std::string>> GetCF(std::string_view cf, std::string_view key) const;
  // Parses the meta value at `key` (column family raft) into `msg`: true if found, false (and
  // `msg` untouched) if not. kCorruption if the stored bytes do not parse as `msg`'s type.
  Result<bool> GetMeta(std::string_view key, google::protobuf::MessageLite* msg) const;

  // Single writes, each atomic on its own. `sync` waits until the write is on stable storage.
  Status PutCF(std::string_view cf, std::string_view key, std::string_view value,
               bool sync = false);
  Status DeleteCF(std::string_view cf, std::string_view key, bool sync = false);
  Status PutMeta(std::string_view key, const google::protobuf::MessageLite& msg, bool sync = false);
  // Deletes the keys of `cf` in [start, end); an empty `end` means up to the last key.
  Status DeleteRangeCF(std::string_view cf, std::string_view start, std::string_view end,
                       bool sync = false);

  // Applies the whole batch atomically: after a crash either all of it is there or none. An
  // unknown column family anywhere in the batch rejects all of it (kInvalidArgument). With
  // `sync` the call returns once the batch is on stable storage.
  Status Write(const WriteBatch& batch, bool sync);

  // ---- For crash tests (raftstore/testing/crash_points.h); unset, it costs one test. ----

  // What a write observer sees: every write (Write, the single-key helpers and a
  // RangeReplacement's commit), just before
  // it is stored and again just after it succeeded. An observer may throw to stop the
  // caller right there (a simulated crash): before the write, nothing of it is stored; after,
  // all of it is.
  struct WriteEvent {
    // "write batch", or the name of a RangeReplacement.
    std::string_view what;
    // The batch's operations, or the replacement's pairs.
    size_t ops = 0;
    // false: about to write; true: written.
    bool done = false;
  };
  using WriteObserver = std::function<void(const Engine& engine, const WriteEvent& event)>;
  void set_write_observer(WriteObserver observer) { observer_ = std::move(observer); }

  // An iterator over `cf` at the current state (it sees no writes made after it is created).
  Result<std::unique_ptr<CfIterator>> NewIterator(std::string_view cf) const;

  // A consistent point-in-time view for a reader that lives across calls: every read through
  // it sees the engine as it was when the snapshot was taken.
  Result<std::unique_ptr<EngineSnapshot>> NewSnapshot() const;

  // Region snapshots' files are RocksDB SST files whatever the backend, so a snapshot sent by
  // a store on one backend applies on the other. A writer for `cf`'s file (Open, Put, Finish),
  // on env().
  Result<std::unique_ptr<rocksdb::SstFileWriter>> NewSstFileWriter(std::string_view cf) const;

  // New contents for the keys [start, end) (an empty `end`: no end) of the column families
  // `cfs`, which replace what they hold there in one write at Commit (see RangeReplacement).
  // The RocksDB engine writes files named `scratch`.<cf>.sst on env() until then; the write
  // observer sees the commit as one write called `what`.
  Result<std::unique_ptr<RangeReplacement>> NewRangeReplacement(std::string_view start,
                                                                std::string_view end,
                                                                const std::vector<std::string>& cfs,
                                                                const std::string& scratch,
                                                                std::string what);

  // RocksDB itself, for what the helpers do not cover. Null after Close and for an in-memory
  // engine; CfHandle is then kNotSupported.
  rocksdb::DB* raw_db() const;
  Result<rocksdb::ColumnFamilyHandle*> CfHandle(std::string_view cf) const;
  // The env the engine runs on (never null).
  rocksdb::Env* env() const;

 private:
  friend class CfIterator;
  friend class EngineSnapshot;
  friend class RangeReplacement;

  Engine(Kind kind, EngineOptions options, std::unique_ptr<Backend> backend,
         std::vector<std::string> cf_names);

  Status checkOpen(std::string_view what) const;
  Result<size_t> cfIndex(std::string_view cf, std::string_view what) const;
  Result<std::optional<std::string>> getAt(std::string_view cf, std::string_view key,
                                           const BackendSnapshot* snap) const;
  Result<bool> getMetaAt(std::string_view key, google::protobuf::MessageLite* msg,
                         const BackendSnapshot* snap) const;
  Result<std::unique_ptr<CfIterator>> iteratorAt(std::string_view cf,
                                                 std::shared_ptr<const BackendSnapshot> snap) const;

  Kind kind_;
  EngineOptions options_;
  std::unique_ptr<Backend> backend_;
  std::vector<std::string> cf_names_;
  // Live snapshots and iterators: the backend must not close under them.
  mutable std::atomic<int> open_readers_{0};
  WriteObserver observer_;
};

// The new contents of a key range in some column families (Engine::NewRangeReplacement): Put
// the pairs, then Commit clears the range in every one of those column families and adds them,
// as one write. Until it succeeds the engine is as it was, also after an error of Put or Commit,
// a crash, or a replacement dropped without a commit. What applying a region snapshot needs:
// the RocksDB engine ingests one SST file per column family, each holding a range deletion and
// the pairs, in one IngestExternalFiles call; the in-memory engine writes one batch. It must not
// outlive its engine.
class RangeReplacement {
 public:
  ~RangeReplacement();
  RangeReplacement(const RangeReplacement&) = delete;
  RangeReplacement& operator=(const RangeReplacement&) = delete;

  // Adds a pair to `cf`'s new contents: keys strictly ascending within a column family, each
  // inside the range (else kInvalidArgument, and the replacement can no longer commit).
  Status Put(std::string_view cf, std::string_view key, std::string_view value);
  // Writes the new contents; at most once, and only after every Put succeeded.
  Status Commit();

 private:
  friend class Engine;
  RangeReplacement(Engine& engine, std::string start, std::string end, std::string what,
                   std::vector<size_t> cfs, std::unique_ptr<BackendReplacement> backend);

  Engine& engine_;
  std::string start_;
  std::string end_;
  std::string what_;
  std::vector<size_t> cfs_;
  // The last key put, per entry of cfs_.
  std::vector<std::optional<std::string>> last_;
  std::unique_ptr<BackendReplacement> backend_;
  size_t pairs_ = 0;
  bool put_failed_ = false;
  bool committed_ = false;
};

const char* EngineKindName(Engine::Kind kind);

}  // namespace kv
