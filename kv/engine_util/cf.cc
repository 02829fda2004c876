#include "kv/engine_util/cf.h"

namespace kv {

const std::vector<std::string>& DataCfs() {
  static const std::vector<std::string> cfs = {std::string(kCfDefault), std::string(kCfLock),
                                               std::string(kCfWrite)};
  return cfs;
}

bool IsDataCf(std::string_view cf) {
  for (const std::string& known : DataCfs()) {
    if (cf == known) return true;
  }
  return false;
}

}  // namespace kv
