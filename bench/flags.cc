#include "bench/flags.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace bench {
namespace {

bool ParseUnsigned(const std::string& text, uint64_t* out) {
  if (text.empty() || text[0] == '-') return false;
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (errno != 0 || *end != '\0') return false;
  *out = v;
  return true;
}

}  // namespace

Flags::Flags(std::string program, std::string usage)
    : program_(std::move(program)), usage_(std::move(usage)) {}

Flags& Flags::Add(const std::string& name, std::function<bool(const std::string&)> set) {
  setters_[name] = std::move(set);
  return *this;
}

Flags& Flags::Add(const std::string& name, uint64_t* out) {
  return Add(name, [out](const std::string& v) { return ParseUnsigned(v, out); });
}

Flags& Flags::Add(const std::string& name, int* out) {
  return Add(name, [out](const std::string& v) {
    uint64_t n = 0;
    if (!ParseUnsigned(v, &n) || n > 1'000'000'000) return false;
    *out = static_cast<int>(n);
    return true;
  });
}

Flags& Flags::Add(const std::string& name, double* out) {
  return Add(name, [out](const std::string& v) {
    char* end = nullptr;
    const double d = std::strtod(v.c_str(), &end);
    if (v.empty() || *end != '\0') return false;
    *out = d;
    return true;
  });
}

Flags& Flags::Add(const std::string& name, std::string* out) {
  return Add(name, [out](const std::string& v) {
    *out = v;
    return true;
  });
}

Flags& Flags::Add(const std::string& name, bool* out) {
  switches_[name] = out;
  return Add(name, [out](const std::string& v) {
    if (v != "0" && v != "1") return false;
    *out = v == "1";
    return true;
  });
}

void Flags::Parse(int argc, char** argv) const {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) Fail("unexpected argument '" + arg + "'");
    const size_t eq = arg.find('=');
    const std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    if (eq == std::string::npos) {
      auto sw = switches_.find(name);
      if (sw == switches_.end()) Fail("unknown flag or missing '=value' in '" + arg + "'");
      *sw->second = true;
      continue;
    }
    auto it = setters_.find(name);
    if (it == setters_.end()) Fail("unknown flag '--" + name + "'");
    if (!it->second(arg.substr(eq + 1))) Fail("bad value in '" + arg + "'");
  }
}

void Flags::Fail(const std::string& message) const {
  std::fprintf(stderr, "%s: %s\nusage: %s %s\n", program_.c_str(), message.c_str(),
               program_.c_str(), usage_.c_str());
  std::exit(2);
}

}  // namespace bench
