#include "raft/logging.h"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <cstdlib>

namespace raft {

namespace {

spdlog::level::level_enum LevelFromEnv() {
  const char* env = std::getenv("LOG_LEVEL");
  if (env == nullptr || *env == '\0') return spdlog::level::critical;
  return spdlog::level::from_str(env);
}

}  // namespace

std::shared_ptr<spdlog::logger> MakeLogger(const std::string& tag) {
  // One shared stderr sink; loggers are cheap and not registered globally, so two nodes with
  // the same tag (e.g. in two test clusters) never collide.
  static auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  static const spdlog::level::level_enum level = LevelFromEnv();
  auto logger = std::make_shared<spdlog::logger>(tag, sink);
  logger->set_level(level);
  logger->set_pattern("%H:%M:%S.%e %^%l%$ [%n] %v");
  return logger;
}

}  // namespace raft
