#include "kv/engine_util/snapshot.h"

#include "kv/engine_util/engine.h"

namespace kv {

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
