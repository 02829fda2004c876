#include "kv/engine_util/engine.h"

#include <cstdio>
#include <utility>

#include "kv/engine_util/backend.h"
#include "kv/engine_util/cf.h"
#include "kv/engine_util/cf_iterator.h"
#include "kv/engine_util/mem_backend.h"
#include "kv/engine_util/rocks_backend.h"
#include "kv/engine_util/rocks_status.h"
#include "kv/engine_util/snapshot.h"

namespace kv {
namespace {

std::vector<std::string> CfNamesOf(Engine::Kind kind) {
  if (kind == Engine::Kind::kKv) {
    return {std::string(kCfDefault), std::string(kCfLock), std::string(kCfWrite),
            std::string(kCfRaft)};
  }
  return {std::string(kCfDefault), std::string(kCfRaft)};
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
  std::vector<std::string> names = CfNamesOf(kind);
  Result<std::unique_ptr<Backend>> backend =
      options.memory ? OpenMemBackend(options, names) : OpenRocksBackend(options, names);
  if (!backend.ok()) return backend.status().Annotate(what);
  return std::unique_ptr<Engine>(
      new Engine(kind, std::move(options), std::move(backend).value(), std::move(names)));
}

Status Engine::Destroy(const EngineOptions& options) {
  Status s = options.memory ? DestroyMemBackend(options) : DestroyRocksBackend(options);
  return s.Annotate("destroy engine at " + options.path);
}

Engine::Engine(Kind kind, EngineOptions options, std::unique_ptr<Backend> backend,
               std::vector<std::string> cf_names)
    : kind_(kind),
      options_(std::move(options)),
      backend_(std::move(backend)),
      cf_names_(std::move(cf_names)) {}

Engine::~Engine() {
  Status s = Close();
  if (!s.ok()) {
    std::fprintf(stderr, "kv: leaking the engine at %s, which cannot close: %s\n",
                 options_.path.c_str(), s.ToString().c_str());
    (void)backend_.release();
  }
}

Status Engine::Close() {
  if (backend_ == nullptr) return Status::OK();
  int readers = open_readers_.load();
  if (readers > 0) {
    return Status::Busy("close engine at " + options_.path + ": " + std::to_string(readers) +
                        " snapshot(s) or iterator(s) still open; destroy them first");
  }
  Status s = backend_->Close();
  backend_.reset();
  return s.Annotate("close engine at " + options_.path);
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

rocksdb::DB* Engine::raw_db() const { return backend_ ? backend_->raw_db() : nullptr; }

Status Engine::checkOpen(std::string_view what) const {
  if (backend_ != nullptr) return Status::OK();
  return Status::InvalidArgument(std::string(what) + ": engine at " + options_.path + " is closed");
}

Result<size_t> Engine::cfIndex(std::string_view cf, std::string_view what) const {
  KV_RETURN_IF_ERROR(checkOpen(what));
  for (size_t i = 0; i < cf_names_.size(); i++) {
    if (cf_names_[i] == cf) return i;
  }
  std::string known;
  for (const std::string& name : cf_names_) known += (known.empty() ? "" : ", ") + name;
  return Status::InvalidArgument(std::string(what) + ": unknown column family '" + std::string(cf) +
                                 "' (the " + EngineKindName(kind_) + " engine at " + options_.path +
                                 " has " + known + ")");
}

Result<rocksdb::ColumnFamilyHandle*> Engine::CfHandle(std::string_view cf) const {
  Result<size_t> i = cfIndex(cf, "column family handle");
  if (!i.ok()) return i.status();
  if (rocksdb::ColumnFamilyHandle* h = backend_->handle(*i)) return h;
  return Status::NotSupported("column family handle: the engine at " + options_.path +
                              " is in memory, not in RocksDB");
}

Result<std::unique_ptr<rocksdb::SstFileWriter>> Engine::NewSstFileWriter(
    std::string_view cf) const {
  Result<size_t> i = cfIndex(cf, "new snapshot file writer");
  if (!i.ok()) return i.status();
  rocksdb::ColumnFamilyHandle* h = backend_->handle(*i);
  // The column family's own options where RocksDB has them, else the ones it would have.
  rocksdb::Options options =
      h != nullptr ? rocksdb::Options(rocksdb::DBOptions(), backend_->raw_db()->GetOptions(h))
                   : RocksOptions(options_);
  options.env = env();
  return std::make_unique<rocksdb::SstFileWriter>(rocksdb::EnvOptions(), options, h);
}

Result<std::unique_ptr<RangeReplacement>> Engine::NewRangeReplacement(
    std::string_view start, std::string_view end, const std::vector<std::string>& cfs,
    const std::string& scratch, std::string what) {
  std::vector<size_t> indexes;
  for (const std::string& cf : cfs) {
    Result<size_t> i = cfIndex(cf, what);
    if (!i.ok()) return i.status();
    indexes.push_back(*i);
  }
  rocksdb::Options options = RocksOptions(options_);
  options.env = env();
  auto backend = backend_->NewReplacement(start, end, indexes, scratch, options);
  if (!backend.ok()) return backend.status().Annotate(what + " in " + options_.path);
  return std::unique_ptr<RangeReplacement>(
      new RangeReplacement(*this, std::string(start), std::string(end), std::move(what),
                           std::move(indexes), std::move(backend).value()));
}

Result<std::optional<std::string>> Engine::getAt(std::string_view cf, std::string_view key,
                                                 const BackendSnapshot* snap) const {
  Result<size_t> i = cfIndex(cf, "get");
  if (!i.ok()) return i.status();
  Result<std::optional<std::string>> v = backend_->Get(*i, key, snap);
  if (v.ok()) return v;
  return v.status().Annotate("get cf " + std::string(cf) + " key " + HexKey(key) + " in " +
                             options_.path);
}

Result<bool> Engine::getMetaAt(std::string_view key, google::protobuf::MessageLite* msg,
                               const BackendSnapshot* snap) const {
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

Status Engine::Write(const WriteBatch& batch, bool sync) {
  KV_RETURN_IF_ERROR(checkOpen("write"));
  if (batch.empty()) return Status::OK();
  std::vector<BackendOp> ops;
  ops.reserve(batch.ops().size());
  for (size_t i = 0; i < batch.ops().size(); i++) {
    const WriteBatch::Op& op = batch.ops()[i];
    Result<size_t> cf = cfIndex(op.cf, "write");
    if (!cf.ok()) {
      return cf.status().Annotate("write batch of " + std::to_string(batch.Len()) + " (op " +
                                  std::to_string(i) + "; nothing was written)");
    }
    ops.push_back(BackendOp{&op, *cf});
  }
  if (observer_) observer_(*this, WriteEvent{"write batch", batch.Len(), false});
  Status s = backend_->Write(ops, sync);
  if (!s.ok()) {
    return s.Annotate("write batch of " + std::to_string(batch.Len()) + " to " + options_.path);
  }
  if (observer_) observer_(*this, WriteEvent{"write batch", batch.Len(), true});
  return Status::OK();
}

RangeReplacement::RangeReplacement(Engine& engine, std::string start, std::string end,
                                   std::string what, std::vector<size_t> cfs,
                                   std::unique_ptr<BackendReplacement> backend)
    : engine_(engine),
      start_(std::move(start)),
      end_(std::move(end)),
      what_(std::move(what)),
      cfs_(std::move(cfs)),
      last_(cfs_.size()),
      backend_(std::move(backend)) {}

RangeReplacement::~RangeReplacement() = default;

Status RangeReplacement::Put(std::string_view cf, std::string_view key, std::string_view value) {
  auto refuse = [&](const std::string& why) {
    put_failed_ = true;
    return Status::InvalidArgument(what_ + ": cf " + std::string(cf) + " key " + HexKey(key) + " " +
                                   why);
  };
  if (committed_) return refuse("put after the commit");
  size_t slot = 0;
  while (slot < cfs_.size() && engine_.cf_names_[cfs_[slot]] != cf) ++slot;
  if (slot == cfs_.size()) return refuse("is not in a replaced column family");
  if (key < start_ || (!end_.empty() && key >= end_)) {
    return refuse("is outside the replaced range [" + HexKey(start_) + ", " +
                  (end_.empty() ? std::string("end") : HexKey(end_)) + ")");
  }
  if (last_[slot] && key <= *last_[slot]) {
    return refuse("does not come after the previous key " + HexKey(*last_[slot]));
  }
  Status s = backend_->Put(cfs_[slot], key, value);
  if (!s.ok()) {
    put_failed_ = true;
    return s.Annotate(what_);
  }
  last_[slot] = std::string(key);
  ++pairs_;
  return Status::OK();
}

Status RangeReplacement::Commit() {
  if (committed_) return Status::InvalidArgument(what_ + ": committed twice");
  if (put_failed_) return Status::InvalidArgument(what_ + ": a Put failed, nothing is written");
  KV_RETURN_IF_ERROR(engine_.checkOpen(what_));
  committed_ = true;
  const Engine::WriteObserver& observer = engine_.observer_;
  if (observer) observer(engine_, Engine::WriteEvent{what_, pairs_, false});
  Status s = backend_->Commit();
  if (!s.ok()) return s.Annotate(what_ + " in " + engine_.options_.path);
  if (observer) observer(engine_, Engine::WriteEvent{what_, pairs_, true});
  return Status::OK();
}

Result<std::unique_ptr<CfIterator>> Engine::iteratorAt(
    std::string_view cf, std::shared_ptr<const BackendSnapshot> snap) const {
  Result<size_t> i = cfIndex(cf, "new iterator");
  if (!i.ok()) return i.status();
  std::unique_ptr<BackendCursor> cursor = backend_->NewCursor(*i, snap.get());
  return std::unique_ptr<CfIterator>(
      new CfIterator(this, std::string(cf), std::move(snap), std::move(cursor)));
}

Result<std::unique_ptr<CfIterator>> Engine::NewIterator(std::string_view cf) const {
  return iteratorAt(cf, nullptr);
}

Result<std::unique_ptr<EngineSnapshot>> Engine::NewSnapshot() const {
  KV_RETURN_IF_ERROR(checkOpen("new snapshot"));
  return std::unique_ptr<EngineSnapshot>(new EngineSnapshot(this, backend_->NewSnapshot()));
}

}  // namespace kv
