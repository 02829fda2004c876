#pragma once

// The parameters a Raft node is started with.

#include <cstdint>
#include <string>
#include <vector>

#include "raft/storage.h"

namespace raft {

struct Config {
  // This node's id; never 0.
  uint64_t id = 0;
  // The ids of every node in the group, this one included. Left empty when restarting from
  // storage that already records the membership (its ConfState).
  std::vector<uint64_t> peers;
  // A follower that hears nothing from a leader for election_tick ticks (randomized to
  // [election_tick, 2 * election_tick)) becomes a candidate. Must exceed heartbeat_tick.
  int election_tick = 0;
  // A leader sends heartbeats every heartbeat_tick ticks.
  int heartbeat_tick = 0;
  // Where the node reads its persisted log and state; not owned, must outlive the node.
  Storage* storage = nullptr;
  // The last index the application has applied; entries up to it are not handed out again.
  uint64_t applied = 0;
  // Seeds the node's random choices (election timeouts). The same seed gives the same run.
  uint64_t random_seed = 0;
  // At most this many entries in one MsgAppend; 0 means no limit (what the 2A tests assume).
  // Optional for a lab's Raft: a leader that sends a far-behind follower its whole backlog
  // with every proposal is correct but copies O(backlog) entries each time, which makes long
  // partitioned runs (lab 2B) slow. raftstore sets it.
  uint64_t max_entries_per_append = 0;

  // Empty when the configuration can start a node, otherwise what is wrong with it.
  std::string Validate() const;
};

}  // namespace raft
