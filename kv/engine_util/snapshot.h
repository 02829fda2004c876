#pragma once

// A consistent point-in-time view of an engine, for a reader that lives across several calls:
// all reads through it, and all iterators made from it, see the engine exactly as it was when
// Engine::NewSnapshot was called, whatever is written afterwards. Destroy it (and its
// iterators) before the engine closes.

#include <google/protobuf/message_lite.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "kv/engine_util/cf_iterator.h"
#include "kv/engine_util/status.h"

namespace kv {

class BackendSnapshot;
class Engine;

class EngineSnapshot {
 public:
  ~EngineSnapshot();
  EngineSnapshot(const EngineSnapshot&) = delete;
  EngineSnapshot& operator=(const EngineSnapshot&) = delete;

  // As Engine::GetCF, GetMeta and NewIterator, at the snapshot's point in time.
  Result<std::optional<std::string>> GetCF(std::string_view cf, std::string_view key) const;
  Result<bool> GetMeta(std::string_view key, google::protobuf::MessageLite* msg) const;
  Result<std::unique_ptr<CfIterator>> NewIterator(std::string_view cf) const;

  const Engine& engine() const { return *engine_; }

 private:
  friend class Engine;
  EngineSnapshot(const Engine* engine, std::shared_ptr<const BackendSnapshot> snap);

  const Engine* engine_;
  // Shared with the iterators made from it; released when the last one goes.
  std::shared_ptr<const BackendSnapshot> snap_;
};

}  // namespace kv
