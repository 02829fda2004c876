#include "kv/engine_util/rocks_backend.h"

#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>

#include <utility>

#include "kv/engine_util/rocks_status.h"

namespace kv {
namespace {

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

class RocksSnapshot : public BackendSnapshot {
 public:
  RocksSnapshot(rocksdb::DB* db) : db_(db), snap_(db->GetSnapshot()) {}
  ~RocksSnapshot() override { db_->ReleaseSnapshot(snap_); }
  const rocksdb::Snapshot* get() const { return snap_; }

 private:
  rocksdb::DB* db_;
  const rocksdb::Snapshot* snap_;
};

const rocksdb::Snapshot* RawSnapshot(const BackendSnapshot* at) {
  return at == nullptr ? nullptr : static_cast<const RocksSnapshot*>(at)->get();
}

class RocksCursor : public BackendCursor {
 public:
  explicit RocksCursor(rocksdb::Iterator* it) : it_(it) {}
  void Seek(std::string_view key) override { it_->Seek(ToSlice(key)); }
  void SeekToFirst() override { it_->SeekToFirst(); }
  void SeekToLast() override { it_->SeekToLast(); }
  bool Valid() const override { return it_->Valid(); }
  void Next() override { it_->Next(); }
  void Prev() override { it_->Prev(); }
  std::string_view key() const override {
    rocksdb::Slice k = it_->key();
    return {k.data(), k.size()};
  }
  std::string_view value() const override {
    rocksdb::Slice v = it_->value();
    return {v.data(), v.size()};
  }
  Status status() const override { return FromRocks(it_->status(), ""); }

 private:
  std::unique_ptr<rocksdb::Iterator> it_;
};

class RocksBackend : public Backend {
 public:
  RocksBackend(const EngineOptions& options, rocksdb::DB* db,
               std::vector<rocksdb::ColumnFamilyHandle*> handles)
      : options_(options), db_(db), handles_(std::move(handles)) {}
  ~RocksBackend() override { (void)Close(); }

  Result<std::optional<std::string>> Get(size_t cf, std::string_view key,
                                         const BackendSnapshot* at) const override {
    rocksdb::ReadOptions ro;
    ro.snapshot = RawSnapshot(at);
    std::string value;
    rocksdb::Status s = db_->Get(ro, handles_[cf], ToSlice(key), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return FromRocks(s, "");
    return std::optional<std::string>(std::move(value));
  }

  Status Write(const std::vector<BackendOp>& ops, bool sync) override {
    rocksdb::WriteBatch wb;
    for (const BackendOp& o : ops) {
      KV_RETURN_IF_ERROR(add(o, &wb));
    }
    rocksdb::WriteOptions wo;
    wo.sync = (sync || options_.sync_writes) && !options_.disable_wal;
    wo.disableWAL = options_.disable_wal;
    return FromRocks(db_->Write(wo, &wb), "");
  }

  std::shared_ptr<const BackendSnapshot> NewSnapshot() const override {
    return std::make_shared<RocksSnapshot>(db_);
  }

  std::unique_ptr<BackendCursor> NewCursor(size_t cf, const BackendSnapshot* at) const override {
    rocksdb::ReadOptions ro;
    ro.snapshot = RawSnapshot(at);
    return std::make_unique<RocksCursor>(db_->NewIterator(ro, handles_[cf]));
  }

  Status IngestSst(size_t cf, const std::string& path, const rocksdb::Options&) override {
    rocksdb::IngestExternalFileOptions options;
    // Copy, so the snapshot's files stay intact until the snapshot is deleted.
    options.move_files = false;
    return FromRocks(db_->IngestExternalFile(handles_[cf], {path}, options), "");
  }

  Status Close() override {
    if (db_ == nullptr) return Status::OK();
    if (options_.disable_wal) {
      // Without a WAL, only flushed data survives the close.
      rocksdb::FlushOptions fo;
      fo.wait = true;
      rocksdb::Status fs = db_->Flush(fo, handles_);
      if (!fs.ok()) return FromRocks(fs, "flush before closing");
    }
    for (rocksdb::ColumnFamilyHandle* h : handles_) db_->DestroyColumnFamilyHandle(h);
    handles_.clear();
    rocksdb::Status s = db_->Close();
    delete db_;
    db_ = nullptr;
    return FromRocks(s, "");
  }

  rocksdb::DB* raw_db() const override { return db_; }
  rocksdb::ColumnFamilyHandle* handle(size_t cf) const override { return handles_[cf]; }

 private:
  Status add(const BackendOp& o, rocksdb::WriteBatch* out) const {
    const WriteBatch::Op& op = *o.op;
    rocksdb::ColumnFamilyHandle* h = handles_[o.cf];
    rocksdb::Status s;
    switch (op.kind) {
      case WriteBatch::Op::Kind::kPut:
        s = out->Put(h, op.key, op.value);
        break;
      case WriteBatch::Op::Kind::kDelete:
        s = out->Delete(h, op.key);
        break;
      case WriteBatch::Op::Kind::kDeleteRange: {
        std::string end = op.value;
        if (end.empty()) {
          // No end: delete up to and including the current last key. (A key written after
          // this point by another thread may survive; raftstore deletes ranges from one
          // thread.)
          std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), h));
          it->SeekToLast();
          if (!it->status().ok())
            return FromRocks(it->status(), "find the last key of cf " + op.cf);
          if (!it->Valid()) return Status::OK();
          end = it->key().ToString() + '\0';
        }
        if (op.key >= end) return Status::OK();  // an empty range
        s = out->DeleteRange(h, op.key, end);
        break;
      }
    }
    // The message is built only on failure: this runs for every key of every write.
    if (s.ok()) return Status::OK();
    return FromRocks(s, "add to write batch (cf " + op.cf + " key " + HexKey(op.key) + ")");
  }

  EngineOptions options_;
  rocksdb::DB* db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

}  // namespace

rocksdb::Options RocksOptions(const EngineOptions& o) {
  rocksdb::Options opts;
  opts.create_if_missing = o.create_if_missing;
  opts.create_missing_column_families = true;
  opts.error_if_exists = o.error_if_exists;
  opts.write_buffer_size = o.write_buffer_size;
  if (o.env) opts.env = o.env.get();
  // RocksDB's own LOG file: keep it short, it is not where the kit reports errors.
  opts.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  opts.keep_log_file_num = 2;
  // Point reads (GetCF, GetMeta) would otherwise probe every L0 file; a bloom filter lets
  // them skip the files that cannot hold the key.
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  opts.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return opts;
}

Result<std::unique_ptr<Backend>> OpenRocksBackend(const EngineOptions& options,
                                                  const std::vector<std::string>& cfs) {
  rocksdb::Options opts = RocksOptions(options);
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  for (const std::string& name : cfs) descs.emplace_back(name, rocksdb::ColumnFamilyOptions(opts));
  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::Status s =
      rocksdb::DB::Open(rocksdb::DBOptions(opts), options.path, descs, &handles, &db);
  if (!s.ok()) return FromRocks(s, "");
  return std::unique_ptr<Backend>(new RocksBackend(options, db, std::move(handles)));
}

Status DestroyRocksBackend(const EngineOptions& options) {
  rocksdb::Status s = rocksdb::DestroyDB(options.path, RocksOptions(options));
  if (!s.ok()) return FromRocks(s, "");
  // DestroyDB leaves the (now empty) directory behind; a missing directory is fine.
  rocksdb::Env* env = options.env ? options.env.get() : rocksdb::Env::Default();
  (void)env->DeleteDir(options.path);
  return Status::OK();
}

}  // namespace kv
