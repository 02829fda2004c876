#pragma once

// The one error type of the kv layer (engines, storage, the raw API): a Status, and a
// Result<T> that holds either a value or a non-OK Status. Nothing in kv/ throws across a
// module boundary; every failure comes back as one of these.
//
// "Not found" is deliberately NOT a status: a missing key is an ordinary answer (an empty
// std::optional, or `false` from GetMeta), so callers never confuse it with a broken disk.

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace kv {

enum class StatusCode {
  kOk = 0,
  // The caller asked for something that cannot work: an unknown column family, an engine used
  // after Close, a directory opened with the wrong set of column families.
  kInvalidArgument,
  // The operation exists but is not available here (e.g. a lab stub not written yet).
  kNotSupported,
  // Stored bytes are damaged: a corrupt RocksDB file, a meta value that does not parse.
  kCorruption,
  // The file system failed (permissions, disk full, missing files).
  kIOError,
  // Someone else holds the resource: the directory is locked by another open engine, or the
  // engine still has open snapshots or iterators and cannot close.
  kBusy,
  // Anything RocksDB reports that fits none of the above; the message says what.
  kInternal,
};

// "InvalidArgument", "Corruption", ...
const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg) {
    return Status(StatusCode::kInvalidArgument, std::move(msg));
  }
  static Status NotSupported(std::string msg) {
    return Status(StatusCode::kNotSupported, std::move(msg));
  }
  static Status Corruption(std::string msg) {
    return Status(StatusCode::kCorruption, std::move(msg));
  }
  static Status IOError(std::string msg) { return Status(StatusCode::kIOError, std::move(msg)); }
  static Status Busy(std::string msg) { return Status(StatusCode::kBusy, std::move(msg)); }
  static Status Internal(std::string msg) { return Status(StatusCode::kInternal, std::move(msg)); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  bool IsInvalidArgument() const { return code_ == StatusCode::kInvalidArgument; }
  bool IsNotSupported() const { return code_ == StatusCode::kNotSupported; }
  bool IsCorruption() const { return code_ == StatusCode::kCorruption; }
  bool IsIOError() const { return code_ == StatusCode::kIOError; }
  bool IsBusy() const { return code_ == StatusCode::kBusy; }

  // "OK", or "Corruption: open kv engine at /data/kv: CURRENT file corrupted".
  std::string ToString() const;

  // The same status with `context` in front of the message ("apply batch: " + message), for a
  // caller that knows more about what was being done. OK stays OK.
  Status Annotate(std::string_view context) const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

std::ostream& operator<<(std::ostream& os, const Status& s);

// Either a value or a non-OK Status (like absl::StatusOr). Works with move-only values
// (Result<std::unique_ptr<Engine>>).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  // Precondition: !status.ok(); an OK status without a value is turned into kInternal.
  Result(Status status)
      : v_(status.ok() ? Status::Internal("Result built from an OK status") : std::move(status)) {}

  bool ok() const { return std::holds_alternative<T>(v_); }
  // OK when there is a value.
  Status status() const { return ok() ? Status::OK() : std::get<Status>(v_); }

  // Precondition: ok(). On an error this throws std::bad_variant_access: check ok() first.
  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  std::variant<T, Status> v_;
};

// A key for error messages, always in hex, with the text alongside when it is printable:
// "0x6b31 'k1'", "0x01ff", "0x (empty)". Keys longer than 64 bytes are cut, with their length.
std::string HexKey(std::string_view key);

}  // namespace kv

// Returns the Status of `expr` from the enclosing function when it is not OK.
#define KV_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::kv::Status kv_status_ = (expr);        \
    if (!kv_status_.ok()) return kv_status_; \
  } while (0)
