#pragma once

// The errors of the Raft library and a small value-or-error type. The library never throws
// for these: a storage answers ErrCompacted and the caller decides what to do.

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace raft {

enum class ErrorCode {
  kNone = 0,
  // The requested index is older than the first entry storage still has (log GC removed it).
  kCompacted,
  // The requested index is beyond the last entry storage has.
  kUnavailable,
  // The snapshot offered is older than the one storage already holds.
  kSnapOutOfDate,
  // A snapshot is being generated (asynchronously); ask again later (2C).
  kSnapshotTemporarilyUnavailable,
  // The proposal was not accepted (e.g. a leadership transfer is in progress; project 3).
  kProposalDropped,
  // Anything else a Storage implementation reports (I/O, corruption); see the message.
  kOther,
};

// The names the course uses, so code reads like the handouts: `err == ErrCompacted`.
inline constexpr ErrorCode ErrCompacted = ErrorCode::kCompacted;
inline constexpr ErrorCode ErrUnavailable = ErrorCode::kUnavailable;
inline constexpr ErrorCode ErrSnapOutOfDate = ErrorCode::kSnapOutOfDate;
inline constexpr ErrorCode ErrSnapshotTemporarilyUnavailable =
    ErrorCode::kSnapshotTemporarilyUnavailable;
inline constexpr ErrorCode ErrProposalDropped = ErrorCode::kProposalDropped;

const char* ErrorName(ErrorCode code);

// An error code with an optional human-readable detail. Converts to bool: true = failure.
class Error {
 public:
  Error() = default;
  Error(ErrorCode code, std::string detail = {}) : code_(code), detail_(std::move(detail)) {}

  ErrorCode code() const { return code_; }
  bool ok() const { return code_ == ErrorCode::kNone; }
  explicit operator bool() const { return !ok(); }
  // "ErrCompacted: index 3 < first index 5" — for logs and failure messages.
  std::string ToString() const;

  friend bool operator==(const Error& e, ErrorCode c) { return e.code_ == c; }

 private:
  ErrorCode code_ = ErrorCode::kNone;
  std::string detail_;
};

// Either a value or an Error, like Go's (value, err) pair.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}
  Result(ErrorCode code) : v_(Error(code)) {}

  bool ok() const { return std::holds_alternative<T>(v_); }
  // The error; an ok() Error (code kNone) when there is a value.
  Error error() const { return ok() ? Error() : std::get<Error>(v_); }
  ErrorCode code() const { return ok() ? ErrorCode::kNone : std::get<Error>(v_).code(); }
  // Precondition: ok(). Calling it on an error throws std::bad_variant_access.
  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace raft
