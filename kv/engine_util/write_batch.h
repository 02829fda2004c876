#pragma once

// A batch of writes to one engine, applied atomically by Engine::Write: all of it or none of
// it. Each write names its column family; meta writes (protobuf values) go to `raft`.

#include <google/protobuf/message_lite.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "kv/engine_util/status.h"

namespace kv {

class Engine;

class WriteBatch {
 public:
  struct Op {
    enum class Kind { kPut, kDelete, kDeleteRange };
    Kind kind;
    std::string cf;
    std::string key;
    // The value of a put; the (exclusive) end key of a range delete, "" meaning no end.
    std::string value;
  };

  // Puts `value` at `key` in column family `cf`.
  void SetCF(std::string_view cf, std::string_view key, std::string_view value);
  // Deletes `key` from `cf` (deleting a missing key is fine).
  void DeleteCF(std::string_view cf, std::string_view key);
  // Deletes every key of `cf` in [start, end); an empty `end` means up to the last key.
  void DeleteRangeCF(std::string_view cf, std::string_view start, std::string_view end);
  // Puts the serialized `msg` at `key` in the meta column family (kCfRaft).
  void SetMeta(std::string_view key, const google::protobuf::MessageLite& msg);
  // Deletes the meta value at `key`.
  void DeleteMeta(std::string_view key);

  // Remembers the current length; RollbackToSafePoint drops everything added after it. Used
  // to undo the writes of one command that failed half way through a larger batch.
  void SetSafePoint();
  // Drops the writes after the last SetSafePoint (all of them when none was set) and forgets
  // that safe point.
  void RollbackToSafePoint();

  // Writes the batch to `engine` (see Engine::Write). The batch is left as it was.
  Status WriteToDB(Engine& engine, bool sync) const;

  // The number of writes in the batch.
  size_t Len() const { return ops_.size(); }
  bool empty() const { return ops_.empty(); }
  // Roughly the bytes the batch will write (keys + values), to decide when to flush.
  size_t ByteSize() const { return bytes_; }
  // Empties the batch and its safe points.
  void Reset();

  const std::vector<Op>& ops() const { return ops_; }

 private:
  void add(Op op);

  std::vector<Op> ops_;
  size_t bytes_ = 0;
  std::vector<size_t> safe_points_;
};

}  // namespace kv
