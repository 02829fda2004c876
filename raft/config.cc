#include "raft/config.h"

namespace raft {

std::string Config::Validate() const {
  if (id == 0) return "cannot use 0 as id";
  if (heartbeat_tick <= 0) return "heartbeat_tick must be greater than 0";
  if (election_tick <= heartbeat_tick) return "election_tick must be greater than heartbeat_tick";
  if (storage == nullptr) return "storage cannot be null";
  return {};
}

}  // namespace raft
