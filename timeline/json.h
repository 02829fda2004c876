#pragma once

// A small JSON writer for the page data (render.cc): deterministic (the same calls give the
// same bytes), compact (no spaces), and safe to embed in an HTML <script> element.
//
// Strings are escaped so that the text can't end the <script> it sits in or be misread:
// `<`, `>` and `&` become \u003c, \u003e, \u0026 (so "</script>" and "<!--" never appear),
// control characters and DEL become \uXXXX, U+2028/U+2029 are escaped. Bytes that are not
// valid UTF-8 (a binary key, say) are written as the four characters `\xNN`, so the page shows
// which byte it was instead of failing to parse or silently changing it into U+FFFD.

#include <cstdint>
#include <string>
#include <string_view>

namespace timeline {

class JsonWriter {
 public:
  // Appends to `out`.
  explicit JsonWriter(std::string* out) : out_(out) {}

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  // An object key; the next value is its value.
  void Key(std::string_view key);

  void String(std::string_view s);
  void Uint(uint64_t v);
  void Int(int64_t v);
  // Integral values print as integers; others with 17 significant digits.
  void Double(double v);
  void Bool(bool v);
  void Null();

  // The escaped form of `s` with its quotes, as String writes it.
  static std::string Quote(std::string_view s);

 private:
  void Open(char c);
  void Close(char c);
  void Separate();

  std::string* out_;
  bool need_comma_ = false;
};

}  // namespace timeline
