#include "server/flags.h"

namespace server {

kv::Status Flags::Parse(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0 || arg == "--") {
      positional_.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2), value;
    bool has_value = false;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
      has_value = true;
    }
    if (switches_.count(name)) {
      if (has_value) return kv::Status::InvalidArgument("--" + name + " takes no value");
      values_[name] = "true";
    } else if (with_value_.count(name)) {
      if (!has_value) {
        if (i + 1 >= argc) return kv::Status::InvalidArgument("--" + name + " needs a value");
        value = argv[++i];
      }
      values_[name] = value;
    } else {
      return kv::Status::InvalidArgument("unknown flag --" + name);
    }
  }
  return kv::Status::OK();
}

std::string Flags::Get(const std::string& name, const std::string& def) const {
  auto it = values_.find(name);
  return it == values_.end() ? def : it->second;
}

kv::Result<uint64_t> Flags::GetUint(const std::string& name, uint64_t def) const {
  auto it = values_.find(name);
  if (it == values_.end()) return def;
  size_t used = 0;
  uint64_t v = 0;
  try {
    v = std::stoull(it->second, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != it->second.size() || it->second[0] == '-') {
    return kv::Status::InvalidArgument("--" + name + "=" + it->second +
                                       " is not a non-negative number");
  }
  return v;
}

}  // namespace server
