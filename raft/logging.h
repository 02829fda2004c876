#pragma once

// Logging for the kit: spdlog loggers tagged per peer ("raft 1", "[region 2] 3"). The level
// comes from the LOG_LEVEL environment variable (trace, debug, info, warn, error, off);
// without it the library is silent, so test output holds only what tests print.

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace raft {

std::shared_ptr<spdlog::logger> MakeLogger(const std::string& tag);

}  // namespace raft
