#include "kv/engine_util/write_batch.h"

#include "kv/engine_util/cf.h"
#include "kv/engine_util/engine.h"

namespace kv {

void WriteBatch::add(Op op) {
  bytes_ += op.key.size() + op.value.size();
  ops_.push_back(std::move(op));
}

void WriteBatch::SetCF(std::string_view cf, std::string_view key, std::string_view value) {
  add({Op::Kind::kPut, std::string(cf), std::string(key), std::string(value)});
}

void WriteBatch::DeleteCF(std::string_view cf, std::string_view key) {
  add({Op::Kind::kDelete, std::string(cf), std::string(key), {}});
}

void WriteBatch::DeleteRangeCF(std::string_view cf, std::string_view start, std::string_view end) {
  add({Op::Kind::kDeleteRange, std::string(cf), std::string(start), std::string(end)});
}

void WriteBatch::SetMeta(std::string_view key, const google::protobuf::MessageLite& msg) {
  add({Op::Kind::kPut, std::string(kCfRaft), std::string(key), msg.SerializeAsString()});
}

void WriteBatch::DeleteMeta(std::string_view key) { DeleteCF(kCfRaft, key); }

void WriteBatch::SetSafePoint() { safe_points_.push_back(ops_.size()); }

void WriteBatch::RollbackToSafePoint() {
  size_t keep = 0;
  if (!safe_points_.empty()) {
    keep = safe_points_.back();
    safe_points_.pop_back();
  }
  while (ops_.size() > keep) {
    bytes_ -= ops_.back().key.size() + ops_.back().value.size();
    ops_.pop_back();
  }
}

Status WriteBatch::WriteToDB(Engine& engine, bool sync) const { return engine.Write(*this, sync); }

void WriteBatch::Reset() {
  ops_.clear();
  safe_points_.clear();
  bytes_ = 0;
}

}  // namespace kv
