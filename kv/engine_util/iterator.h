#pragma once

// The iterator every reader of the kv layer hands out: over the keys of ONE column family, in
// byte order. The column family is chosen when the iterator is made and is invisible
// afterwards: key() is the user's key, exactly as written.

#include <string_view>

#include "kv/engine_util/status.h"

namespace kv {

class DBIterator {
 public:
  virtual ~DBIterator() = default;

  // Positions at the first key >= `key` (Seek("") = the first key). A new iterator is not
  // positioned: call Seek or SeekToFirst before anything else.
  virtual void Seek(std::string_view key) = 0;
  virtual void SeekToFirst() = 0;
  // True while positioned at a key. False past the last key, or after an error (see status).
  virtual bool Valid() const = 0;
  // Moves to the next key. Precondition: Valid().
  virtual void Next() = 0;
  // The current key and value. Precondition: Valid(). The views stay valid until the
  // iterator moves or is destroyed; copy them (std::string(key())) to keep them longer.
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  // OK, or the error that stopped the iteration (then Valid() is false).
  virtual Status status() const = 0;
};

// True when `key` is at or past `end_key`, where an empty end key means "no end" (the
// convention of region ranges).
inline bool ExceedEndKey(std::string_view key, std::string_view end_key) {
  return !end_key.empty() && key >= end_key;
}

}  // namespace kv
