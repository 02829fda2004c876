#include "kv/storage/standalone_storage/standalone_storage.h"

#include <cstdio>
#include <utility>

#include "kv/engine_util/snapshot.h"
#include "kv/engine_util/write_batch.h"

namespace kv {
namespace {

// Reads through an engine snapshot, so every read sees the engine as it was when the reader
// was made. Its iterators share the snapshot and may outlive Close.
class StandaloneReader : public StorageReader {
 public:
  explicit StandaloneReader(std::unique_ptr<EngineSnapshot> snap) : snap_(std::move(snap)) {}

  Result<std::optional<std::string>> GetCF(std::string_view cf, std::string_view key) override {
    if (!snap_) return Status::InvalidArgument("get: the reader is closed");
    return snap_->GetCF(cf, key);
  }

  Result<std::unique_ptr<DBIterator>> IterCF(std::string_view cf) override {
    if (!snap_) return Status::InvalidArgument("iterate: the reader is closed");
    Result<std::unique_ptr<CfIterator>> it = snap_->NewIterator(cf);
    if (!it.ok()) return it.status();
    return std::unique_ptr<DBIterator>(std::move(it).value());
  }

  void Close() override { snap_.reset(); }

 private:
  std::unique_ptr<EngineSnapshot> snap_;
};

}  // namespace

StandaloneStorage::StandaloneStorage(StandaloneConfig config) : config_(std::move(config)) {}

StandaloneStorage::~StandaloneStorage() {
  Status s = Stop();
  if (!s.ok()) std::fprintf(stderr, "StandaloneStorage: stop: %s\n", s.ToString().c_str());
}

Status StandaloneStorage::checkStarted(const char* what) const {
  if (engine_) return Status::OK();
  return Status::InvalidArgument(std::string(what) + ": the storage at " + config_.db_path +
                                 " is not started");
}

Status StandaloneStorage::Start() {
  if (engine_) return Status::OK();
  EngineOptions options;
  options.path = config_.db_path;
  options.env = config_.env;
  Result<std::unique_ptr<Engine>> engine = Engine::Open(Engine::Kind::kKv, std::move(options));
  if (!engine.ok()) return engine.status();
  engine_ = std::move(engine).value();
  return Status::OK();
}

Status StandaloneStorage::Stop() {
  if (!engine_) return Status::OK();
  // Close fails (and the engine stays open) while readers are alive; keep it then.
  KV_RETURN_IF_ERROR(engine_->Close());
  engine_.reset();
  return Status::OK();
}

Status StandaloneStorage::Write(const kvrpcpb::Context&, const std::vector<Modify>& batch) {
  KV_RETURN_IF_ERROR(checkStarted("write"));
  WriteBatch wb;
  for (const Modify& m : batch) {
    if (m.type == Modify::Type::kPut) {
      wb.SetCF(m.cf, m.key, m.value);
    } else {
      wb.DeleteCF(m.cf, m.key);
    }
  }
  return engine_->Write(wb, config_.sync_writes);
}

Result<std::unique_ptr<StorageReader>> StandaloneStorage::Reader(const kvrpcpb::Context&) {
  KV_RETURN_IF_ERROR(checkStarted("reader"));
  Result<std::unique_ptr<EngineSnapshot>> snap = engine_->NewSnapshot();
  if (!snap.ok()) return snap.status();
  return std::unique_ptr<StorageReader>(new StandaloneReader(std::move(snap).value()));
}

}  // namespace kv
