#include "kv/engine_util/status.h"

namespace kv {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kInvalidArgument:
      return "InvalidArgument";
    case StatusCode::kNotSupported:
      return "NotSupported";
    case StatusCode::kCorruption:
      return "Corruption";
    case StatusCode::kIOError:
      return "IOError";
    case StatusCode::kBusy:
      return "Busy";
    case StatusCode::kInternal:
      return "Internal";
  }
  return "Unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out = StatusCodeName(code_);
  if (!message_.empty()) out += ": " + message_;
  return out;
}

Status Status::Annotate(std::string_view context) const {
  if (ok()) return *this;
  return Status(code_, std::string(context) + ": " + message_);
}

std::ostream& operator<<(std::ostream& os, const Status& s) { return os << s.ToString(); }

std::string HexKey(std::string_view key) {
  constexpr size_t kMaxShown = 64;
  static const char kDigits[] = "0123456789abcdef";
  std::string_view shown = key.substr(0, kMaxShown);
  std::string out = "0x";
  bool printable = true;
  for (unsigned char c : shown) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0xf];
    if (c < 0x20 || c > 0x7e) printable = false;
  }
  if (key.empty()) {
    out += " (empty)";
  } else if (printable) {
    out += " '" + std::string(shown) + "'";
  }
  if (key.size() > kMaxShown) out += "... (" + std::to_string(key.size()) + " bytes)";
  return out;
}

}  // namespace kv
