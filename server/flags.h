#pragma once

// A small command-line parser for the live tools: "--name=value", "--name value" and bare
// "--flag" switches, plus positional arguments. Unknown flags are errors, so a typo never
// silently falls back to a default.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "kv/engine_util/status.h"

namespace server {

class Flags {
 public:
  // `with_value`: flags that take a value; `switches`: flags that take none.
  Flags(std::set<std::string> with_value, std::set<std::string> switches)
      : with_value_(std::move(with_value)), switches_(std::move(switches)) {}

  kv::Status Parse(int argc, char** argv);

  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  std::string Get(const std::string& name, const std::string& def = "") const;
  // The flag as a number; an error names the flag when it is not one.
  kv::Result<uint64_t> GetUint(const std::string& name, uint64_t def) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::set<std::string> with_value_;
  std::set<std::string> switches_;
  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
};

}  // namespace server
