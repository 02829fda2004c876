#include "timeline/json.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace timeline {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void AppendU(std::string* out, unsigned code) {
  out->append("\\u");
  for (int shift = 12; shift >= 0; shift -= 4) out->push_back(kHex[(code >> shift) & 0xf]);
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not one (truncated,
// overlong, a surrogate, or beyond U+10FFFF). Sets *code to the code point.
size_t Utf8Sequence(std::string_view s, size_t i, unsigned* code) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned c = byte(i);
  size_t n;
  unsigned cp;
  if (c < 0x80) {
    *code = c;
    return 1;
  } else if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
    cp = c & 0x1f;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    cp = c & 0x0f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    unsigned cc = byte(i + k);
    if ((cc & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3f);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
      (cp >= 0xd800 && cp <= 0xdfff)) {
    return 0;
  }
  *code = cp;
  return n;
}

void AppendEscaped(std::string* out, std::string_view s) {
  out->push_back('"');
  for (size_t i = 0; i < s.size();) {
    unsigned code = 0;
    size_t n = Utf8Sequence(s, i, &code);
    if (n == 0) {
      unsigned char b = static_cast<unsigned char>(s[i]);
      out->append("\\\\x");
      out->push_back(kHex[b >> 4]);
      out->push_back(kHex[b & 0xf]);
      ++i;
      continue;
    }
    if (n > 1) {
      if (code == 0x2028 || code == 0x2029) {
        AppendU(out, code);
      } else {
        out->append(s.substr(i, n));
      }
      i += n;
      continue;
    }
    char c = s[i++];
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '<':
      case '>':
      case '&':
        AppendU(out, static_cast<unsigned char>(c));
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          AppendU(out, static_cast<unsigned char>(c));
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

}  // namespace

std::string JsonWriter::Quote(std::string_view s) {
  std::string out;
  AppendEscaped(&out, s);
  return out;
}

void JsonWriter::Separate() {
  if (need_comma_) out_->push_back(',');
  need_comma_ = true;
}

void JsonWriter::Open(char c) {
  Separate();
  out_->push_back(c);
  need_comma_ = false;
}

void JsonWriter::Close(char c) {
  out_->push_back(c);
  need_comma_ = true;
}

void JsonWriter::Key(std::string_view key) {
  Separate();
  AppendEscaped(out_, key);
  out_->push_back(':');
  need_comma_ = false;
}

void JsonWriter::String(std::string_view s) {
  Separate();
  AppendEscaped(out_, s);
}

void JsonWriter::Uint(uint64_t v) {
  Separate();
  char buf[24];
  out_->append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

void JsonWriter::Int(int64_t v) {
  Separate();
  char buf[24];
  out_->append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

void JsonWriter::Double(double v) {
  Separate();
  if (!std::isfinite(v)) {
    out_->append("null");
    return;
  }
  if (v == std::floor(v) && std::fabs(v) < 9e15) {
    out_->append(std::to_string(static_cast<int64_t>(v)));
    return;
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  out_->append(buf);
}

void JsonWriter::Bool(bool v) {
  Separate();
  out_->append(v ? "true" : "false");
}

void JsonWriter::Null() {
  Separate();
  out_->append("null");
}

}  // namespace timeline
