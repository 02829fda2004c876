#include "kv/engine_util/snapshot.h"

#include "kv/engine_util/backend.h"
#include "kv/engine_util/engine.h"

namespace kv {

EngineSnapshot::EngineSnapshot(const Engine* engine, std::shared_ptr<const BackendSnapshot> snap)
    : engine_(engine), snap_(std::move(snap)) {
  engine_->open_readers_.fetch_add(1);
}

EngineSnapshot::~EngineSnapshot() {
  snap_.reset();
  engine_->open_readers_.fetch_sub(1);
}

Result<std::optional<std::string>> EngineSnapshot::GetCF(std::string_view cf,
                                                         std::string_view key) const {
  return engine_->getAt(cf, key, snap_.get());
}

Result<bool> EngineSnapshot::GetMeta(std::string_view key,
                                     google::protobuf::MessageLite* msg) const {
  return engine_->getMetaAt(key, msg, snap_.get());
}

Result<std::unique_ptr<CfIterator>> EngineSnapshot::NewIterator(std::string_view cf) const {
  return engine_->iteratorAt(cf, snap_);
}

}  // namespace kv
