#include "kv/engine_util/rocks_backend.h"

#include <rocksdb/filter_policy.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/table.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

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

// The end of a range deletion of [start, end) in `h` as RocksDB needs it: `end` itself, or
// for an empty one (no end) just past the current last key. (A key written after this point by
// another thread may survive; raftstore deletes ranges from one thread.) Nothing when the
// range holds no key to delete.
Status RangeEnd(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* h, std::string_view start,
                std::string_view end, std::optional<std::string>* out) {
  std::string bound(end);
  if (bound.empty()) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), h));
    it->SeekToLast();
    if (!it->status().ok())
      return FromRocks(it->status(), "find the last key of cf " + h->GetName());
    if (!it->Valid()) return Status::OK();
    bound = it->key().ToString() + '\0';
  }
  if (start < bound) *out = std::move(bound);
  return Status::OK();
}

// A range replacement as RocksDB does it: an SST file per column family holding a range
// deletion of the range and the new pairs (RocksDB gives every entry of an ingested file the
// same sequence number, and a range deletion covers only older entries, so the file's own
// pairs survive it), all ingested in one IngestExternalFiles call, which is atomic across
// column families and crashes.
class RocksReplacement : public BackendReplacement {
 public:
  RocksReplacement(rocksdb::DB* db, std::string_view start, std::string_view end,
                   const rocksdb::Options& options)
      : db_(db), start_(start), end_(end), env_(options.env) {}

  ~RocksReplacement() override {
    // Ingested files were moved into the engine already; the rest are abandoned here.
    for (File& f : files_) {
      if (f.writer == nullptr) continue;
      f.writer.reset();
      env_->DeleteFile(f.path).PermitUncheckedError();
    }
  }

  // Column family `cf` is replaced; its file, at `path`, is written from the first Put on (a
  // refused snapshot writes no file).
  void Add(size_t cf, rocksdb::ColumnFamilyHandle* h, std::string path) {
    files_.push_back(File{cf, h, std::move(path), nullptr});
  }

  Status Put(size_t cf, std::string_view key, std::string_view value) override {
    for (File& f : files_) {
      if (f.cf != cf) continue;
      KV_RETURN_IF_ERROR(open(f));
      return FromRocks(f.writer->Put(ToSlice(key), ToSlice(value)), "write " + f.path);
    }
    return Status::InvalidArgument("column family " + std::to_string(cf) + " is not replaced");
  }

  Status Commit() override {
    std::vector<rocksdb::IngestExternalFileArg> args;
    for (File& f : files_) {
      std::optional<std::string> end;
      KV_RETURN_IF_ERROR(RangeEnd(db_, f.h, start_, end_, &end));
      if (end) {
        KV_RETURN_IF_ERROR(open(f));
        KV_RETURN_IF_ERROR(
            FromRocks(f.writer->DeleteRange(ToSlice(start_), *end), "write " + f.path));
      }
      if (f.writer == nullptr) continue;  // nothing to clear or add
      KV_RETURN_IF_ERROR(FromRocks(f.writer->Finish(), "finish " + f.path));
      rocksdb::IngestExternalFileArg arg;
      arg.column_family = f.h;
      arg.external_files = {f.path};
      // The files are this replacement's own: moved (linked) in, not copied.
      arg.options.move_files = true;
      args.push_back(std::move(arg));
    }
    if (args.empty()) return Status::OK();
    return FromRocks(db_->IngestExternalFiles(args), "ingest");
  }

 private:
  struct File {
    size_t cf;
    rocksdb::ColumnFamilyHandle* h;
    std::string path;
    std::unique_ptr<rocksdb::SstFileWriter> writer;  // null until opened
  };

  Status open(File& f) {
    if (f.writer != nullptr) return Status::OK();
    rocksdb::Options options(rocksdb::DBOptions(), db_->GetOptions(f.h));
    options.env = env_;
    auto writer = std::make_unique<rocksdb::SstFileWriter>(rocksdb::EnvOptions(), options, f.h);
    KV_RETURN_IF_ERROR(FromRocks(writer->Open(f.path), "create " + f.path));
    f.writer = std::move(writer);
    return Status::OK();
  }

  rocksdb::DB* db_;
  std::string start_;
  std::string end_;
  rocksdb::Env* env_;
  std::vector<File> files_;
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

  Result<std::unique_ptr<BackendReplacement>> NewReplacement(
      std::string_view start, std::string_view end, const std::vector<size_t>& cfs,
      const std::string& scratch, const rocksdb::Options& options) override;

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
        std::optional<std::string> end;
        KV_RETURN_IF_ERROR(RangeEnd(db_, h, op.key, op.value, &end));
        if (!end) return Status::OK();
        s = out->DeleteRange(h, op.key, *end);
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

Result<std::unique_ptr<BackendReplacement>> RocksBackend::NewReplacement(
    std::string_view start, std::string_view end, const std::vector<size_t>& cfs,
    const std::string& scratch, const rocksdb::Options& options) {
  auto replacement = std::make_unique<RocksReplacement>(db_, start, end, options);
  for (size_t cf : cfs) {
    replacement->Add(cf, handles_[cf], scratch + "." + handles_[cf]->GetName() + ".sst");
  }
  return std::unique_ptr<BackendReplacement>(std::move(replacement));
}

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
