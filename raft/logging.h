#pragma once

// Logging for the kit: spdlog loggers tagged per peer ("raft 1", "[region 2] 3"). The level
// comes from the LOG_LEVEL environment variable (trace, debug, info, warn, error, critical,
// off). Without it only `critical` lines print: they come right before a store stops itself
// (std::abort), and a process that dies without saying why leaves a student nothing to read.

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace raft {

std::shared_ptr<spdlog::logger> MakeLogger(const std::string& tag);

}  // namespace raft
