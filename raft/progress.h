#pragma once

#include <cstdint>

namespace raft {

// What a leader knows of one follower's log: it matches the leader's up to `match`, and the
// next entry to send it is `next`. Only meaningful on the leader.
struct Progress {
  uint64_t match = 0;
  uint64_t next = 0;
};

}  // namespace raft
