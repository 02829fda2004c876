#include "kv/engine_util/engine.h"

#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>

#include <cstdio>
#include <utility>

#include "kv/engine_util/cf.h"
#include "kv/engine_util/cf_iterator.h"
#include "kv/engine_util/rocks_status.h"
#include "kv/engine_util/snapshot.h"

namespace kv {
namespace {

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

std::vector<std::string> CfNamesOf(Engine::Kind kind) {
  if (kind == Engine::Kind::kKv) {
    return {std::string(kCfDefault), std::string(kCfLock), std::string(kCfWrite),
            std::string(kCfRaft)};
  }
  return {std::string(kCfDefault), std::string(kCfRaft)};
}

rocksdb::Options MakeOptions(const EngineOptions& o) {
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

}  // namespace

std::shared_ptr<rocksdb::Env> NewInMemoryEnv() {
  return std::shared_ptr<rocksdb::Env>(rocksdb::NewMemEnv(rocksdb::Env::Default()));
}

const char* EngineKindName(Engine::Kind kind) { return kind == Engine::Kind::kKv ? "kv" : "raft"; }

Result<std::unique_ptr<Engine>> Engine::Open(Kind kind, EngineOptions options) {
  const std::string what = std::string("open ") + EngineKindName(kind) + " engine at " +
                           (options.path.empty() ? "(empty path)" : options.path);
  if (options.path.empty()) return Status::InvalidArgument(what + ": no path given");
  rocksdb::Options opts = MakeOptions(options);
  std::vector<std::string> names = CfNamesOf(kind);
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  for (const std::string& name : names) {
    descs.emplace_back(name, rocksdb::ColumnFamilyOptions(opts));
  }
  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::Status s =
      rocksdb::DB::Open(rocksdb::DBOptions(opts), options.path, descs, &handles, &db);
  if (!s.ok()) return FromRocks(s, what);
  return std::unique_ptr<Engine>(
      new Engine(kind, std::move(options), db, std::move(names), std::move(handles)));
}

Status Engine::Destroy(const EngineOptions& options) {
  rocksdb::Options opts = MakeOptions(options);
  rocksdb::Status s = rocksdb::DestroyDB(options.path, opts);
  if (!s.ok()) return FromRocks(s, "destroy engine at " + options.path);
  // DestroyDB leaves the (now empty) directory behind; a missing directory is fine.
  rocksdb::Env* env = options.env ? options.env.get() : rocksdb::Env::Default();
  (void)env->DeleteDir(options.path);
  return Status::OK();
}

Engine::Engine(Kind kind, EngineOptions options, rocksdb::DB* db, std::vector<std::string> cf_names,
               std::vector<rocksdb::ColumnFamilyHandle*> handles)
    : kind_(kind),
      options_(std::move(options)),
      db_(db),
      cf_names_(std::move(cf_names)),
      handles_(std::move(handles)) {}

Engine::~Engine() {
  Status s = Close();
  if (!s.ok()) {
    std::fprintf(stderr, "kv: leaking the engine at %s, which cannot close: %s\n",
                 options_.path.c_str(), s.ToString().c_str());
  }
}

Status Engine::Close() {
  if (db_ == nullptr) return Status::OK();
  int readers = open_readers_.load();
  if (readers > 0) {
    return Status::Busy("close engine at " + options_.path + ": " + std::to_string(readers) +
                        " snapshot(s) or iterator(s) still open; destroy them first");
  }
  if (options_.disable_wal) {
    // Without a WAL, only flushed data survives the close.
    rocksdb::FlushOptions fo;
    fo.wait = true;
    rocksdb::Status fs = db_->Flush(fo, handles_);
    if (!fs.ok()) return FromRocks(fs, "flush engine at " + options_.path + " before closing");
  }
  for (rocksdb::ColumnFamilyHandle* h : handles_) db_->DestroyColumnFamilyHandle(h);
  handles_.clear();
  rocksdb::Status s = db_->Close();
  delete db_;
  db_ = nullptr;
  return FromRocks(s, "close engine at " + options_.path);
}

bool Engine::HasCf(std::string_view cf) const {
  for (const std::string& name : cf_names_) {
    if (name == cf) return true;
  }
  return false;
}

rocksdb::Env* Engine::env() const {
  return options_.env ? options_.env.get() : rocksdb::Env::Default();
}

Status Engine::checkOpen(std::string_view what) const {
  if (db_ != nullptr) return Status::OK();
  return Status::InvalidArgument(std::string(what) + ": engine at " + options_.path + " is closed");
}

Result<rocksdb::ColumnFamilyHandle*> Engine::handle(std::string_view cf,
                                                    std::string_view what) const {
  KV_RETURN_IF_ERROR(checkOpen(what));
  for (size_t i = 0; i < cf_names_.size(); i++) {
    if (cf_names_[i] == cf) return handles_[i];
  }
  std::string known;
  for (const std::string& name : cf_names_) known += (known.empty() ? "" : ", ") + name;
  return Status::InvalidArgument(std::string(what) + ": unknown column family '" + std::string(cf) +
                                 "' (the " + EngineKindName(kind_) + " engine at " + options_.path +
                                 " has " + known + ")");
}

Result<rocksdb::ColumnFamilyHandle*> Engine::CfHandle(std::string_view cf) const {
  return handle(cf, "column family handle");
}

Result<std::optional<std::string>> Engine::getAt(std::string_view cf, std::string_view key,
                                                 const rocksdb::Snapshot* snap) const {
  auto what = [&] {
    return "get cf " + std::string(cf) + " key " + HexKey(key) + " in " + options_.path;
  };
  Result<rocksdb::ColumnFamilyHandle*> h = handle(cf, "get");
  if (!h.ok()) return h.status();
  rocksdb::ReadOptions ro;
  ro.snapshot = snap;
  std::string value;
  rocksdb::Status s = db_->Get(ro, *h, ToSlice(key), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, what());
  return std::optional<std::string>(std::move(value));
}

Result<bool> Engine::getMetaAt(std::string_view key, google::protobuf::MessageLite* msg,
                               const rocksdb::Snapshot* snap) const {
  Result<std::optional<std::string>> v = getAt(kCfRaft, key, snap);
  if (!v.ok()) return v.status();
  if (!v->has_value()) return false;
  if (!msg->ParseFromString(**v)) {
    return Status::Corruption("get meta key " + HexKey(key) + " in " + options_.path + ": " +
                              std::to_string((*v)->size()) + " bytes do not parse as " +
                              msg->GetTypeName());
  }
  return true;
}

Result<std::optional<std::string>> Engine::GetCF(std::string_view cf, std::string_view key) const {
  return getAt(cf, key, nullptr);
}

Result<bool> Engine::GetMeta(std::string_view key, google::protobuf::MessageLite* msg) const {
  return getMetaAt(key, msg, nullptr);
}

Status Engine::PutCF(std::string_view cf, std::string_view key, std::string_view value, bool sync) {
  WriteBatch wb;
  wb.SetCF(cf, key, value);
  return Write(wb, sync);
}

Status Engine::DeleteCF(std::string_view cf, std::string_view key, bool sync) {
  WriteBatch wb;
  wb.DeleteCF(cf, key);
  return Write(wb, sync);
}

Status Engine::PutMeta(std::string_view key, const google::protobuf::MessageLite& msg, bool sync) {
  WriteBatch wb;
  wb.SetMeta(key, msg);
  return Write(wb, sync);
}

Status Engine::DeleteRangeCF(std::string_view cf, std::string_view start, std::string_view end,
                             bool sync) {
  WriteBatch wb;
  wb.DeleteRangeCF(cf, start, end);
  return Write(wb, sync);
}

Status Engine::addToBatch(const WriteBatch::Op& op, rocksdb::WriteBatch* out) const {
  Result<rocksdb::ColumnFamilyHandle*> h = handle(op.cf, "write");
  if (!h.ok()) return h.status();
  rocksdb::Status s;
  switch (op.kind) {
    case WriteBatch::Op::Kind::kPut:
      s = out->Put(*h, op.key, op.value);
      break;
    case WriteBatch::Op::Kind::kDelete:
      s = out->Delete(*h, op.key);
      break;
    case WriteBatch::Op::Kind::kDeleteRange: {
      std::string end = op.value;
      if (end.empty()) {
        // No end: delete up to and including the current last key. (A key written after this
        // point by another thread may survive; raftstore deletes ranges from one thread.)
        std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), *h));
        it->SeekToLast();
        if (!it->status().ok()) {
          return FromRocks(it->status(), "find the last key of cf " + op.cf);
        }
        if (!it->Valid()) return Status::OK();
        end = it->key().ToString() + '\0';
      }
      if (op.key >= end) return Status::OK();  // an empty range
      s = out->DeleteRange(*h, op.key, end);
      break;
    }
  }
  // The message is built only on failure: this runs for every key of every write.
  if (s.ok()) return Status::OK();
  return FromRocks(s, "add to write batch (cf " + op.cf + " key " + HexKey(op.key) + ")");
}

Status Engine::Write(const WriteBatch& batch, bool sync) {
  KV_RETURN_IF_ERROR(checkOpen("write"));
  if (batch.empty()) return Status::OK();
  rocksdb::WriteBatch wb;
  for (size_t i = 0; i < batch.ops().size(); i++) {
    Status s = addToBatch(batch.ops()[i], &wb);
    if (!s.ok()) {
      return s.Annotate("write batch of " + std::to_string(batch.Len()) + " (op " +
                        std::to_string(i) + "; nothing was written)");
    }
  }
  rocksdb::WriteOptions wo;
  wo.sync = (sync || options_.sync_writes) && !options_.disable_wal;
  wo.disableWAL = options_.disable_wal;
  const bool observed = observer_ && compound_depth_ == 0;
  if (observed) observer_(*this, WriteEvent{"write batch", batch.Len(), false});
  rocksdb::Status s = db_->Write(wo, &wb);
  if (s.ok()) {
    if (observed) observer_(*this, WriteEvent{"write batch", batch.Len(), true});
    return Status::OK();
  }
  return FromRocks(s, "write batch of " + std::to_string(batch.Len()) + " to " + options_.path);
}

Engine::CompoundWrite::CompoundWrite(Engine& engine, std::string_view what)
    : engine_(engine), what_(what) {
  if (engine_.observer_ && engine_.compound_depth_ == 0) {
    engine_.observer_(engine_, WriteEvent{what_, 0, false});
  }
  ++engine_.compound_depth_;
  open_ = true;
}

void Engine::CompoundWrite::Done() {
  if (!open_) return;
  open_ = false;
  if (--engine_.compound_depth_ == 0 && engine_.observer_) {
    engine_.observer_(engine_, WriteEvent{what_, 0, true});
  }
}

Engine::CompoundWrite::~CompoundWrite() {
  if (open_) --engine_.compound_depth_;
}

Result<std::unique_ptr<CfIterator>> Engine::iteratorAt(
    std::string_view cf, std::shared_ptr<const rocksdb::Snapshot> snap) const {
  Result<rocksdb::ColumnFamilyHandle*> h = handle(cf, "new iterator");
  if (!h.ok()) return h.status();
  rocksdb::ReadOptions ro;
  ro.snapshot = snap.get();
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, *h));
  return std::unique_ptr<CfIterator>(
      new CfIterator(this, std::string(cf), std::move(snap), std::move(it)));
}

Result<std::unique_ptr<CfIterator>> Engine::NewIterator(std::string_view cf) const {
  return iteratorAt(cf, nullptr);
}

Result<std::unique_ptr<EngineSnapshot>> Engine::NewSnapshot() const {
  KV_RETURN_IF_ERROR(checkOpen("new snapshot"));
  rocksdb::DB* db = db_;
  std::atomic<int>* readers = &open_readers_;
  readers->fetch_add(1);
  std::shared_ptr<const rocksdb::Snapshot> snap(db->GetSnapshot(),
                                                [db, readers](const rocksdb::Snapshot* s) {
                                                  db->ReleaseSnapshot(s);
                                                  readers->fetch_sub(1);
                                                });
  return std::unique_ptr<EngineSnapshot>(new EngineSnapshot(this, std::move(snap)));
}

}  // namespace kv
