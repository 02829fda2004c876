#include "kv/engine_util/cf.h"

namespace kv {

const std::vector<std::string>& DataCfs() {
  static const std::vector<std::string> cfs = {std::string(kCfDefault), std::string(kCfLock),
                                               std::string(kCfWrite)};
  return cfs;
}

}  // namespace kv
