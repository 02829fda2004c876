#pragma once

// One write of a Storage::Write batch: a put or a delete of one key in one column family.

#include <string>
#include <string_view>

namespace kv {

struct Modify {
  enum class Type { kPut, kDelete };

  Type type = Type::kPut;
  std::string cf;
  std::string key;
  // The new value of a put; empty for a delete.
  std::string value;

  static Modify Put(std::string_view cf, std::string_view key, std::string_view value) {
    return Modify{Type::kPut, std::string(cf), std::string(key), std::string(value)};
  }
  static Modify Delete(std::string_view cf, std::string_view key) {
    return Modify{Type::kDelete, std::string(cf), std::string(key), {}};
  }
};

}  // namespace kv
