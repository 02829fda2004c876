#pragma once

// The engine's DBIterator: over one column family, reading either the current state (as it
// was when the iterator was made) or an EngineSnapshot. Made by Engine::NewIterator or
// EngineSnapshot::NewIterator; it keeps its snapshot alive, and must be destroyed before its
// engine closes.

#include <memory>
#include <string>
#include <string_view>

#include "kv/engine_util/iterator.h"

namespace kv {

class BackendCursor;
class BackendSnapshot;
class Engine;

class CfIterator : public DBIterator {
 public:
  ~CfIterator() override;

  void Seek(std::string_view key) override;
  void SeekToFirst() override;
  bool Valid() const override;
  void Next() override;
  std::string_view key() const override;
  std::string_view value() const override;
  Status status() const override;

  // Beyond DBIterator, for code that walks backwards (e.g. finding a region's last key).
  void SeekToLast();
  void Prev();

  const std::string& cf() const { return cf_; }

 private:
  friend class Engine;
  CfIterator(const Engine* engine, std::string cf, std::shared_ptr<const BackendSnapshot> snap,
             std::unique_ptr<BackendCursor> cursor);

  const Engine* engine_;
  std::string cf_;
  std::shared_ptr<const BackendSnapshot> snap_;
  std::unique_ptr<BackendCursor> it_;
};

}  // namespace kv
