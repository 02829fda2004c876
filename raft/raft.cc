#include "raft/raft.h"

#include <stdexcept>

namespace raft {

const char* StateName(StateType s) {
  switch (s) {
    case StateType::kFollower:
      return "StateFollower";
    case StateType::kCandidate:
      return "StateCandidate";
    case StateType::kLeader:
      return "StateLeader";
  }
  return "StateUnknown";
}

Raft::Raft(const Config& config) : raft_log(config.storage) {
  if (std::string problem = config.Validate(); !problem.empty()) {
    throw std::invalid_argument("raft config: " + problem);
  }
  id = config.id;
  // Your Code Here (2A).
  // Read the HardState and ConfState from storage, set up prs for every peer, the timeouts
  // and the random generator (config.random_seed), and start as a follower.
}

void Raft::tick() {
  // Your Code Here (2A).
}

Error Raft::Step(const eraftpb::Message& m) {
  // Your Code Here (2A).
  (void)m;
  return {};
}

void Raft::becomeFollower(uint64_t term, uint64_t lead) {
  // Your Code Here (2A).
  (void)term;
  (void)lead;
}

void Raft::becomeCandidate() {
  // Your Code Here (2A).
}

void Raft::becomeLeader() {
  // Your Code Here (2A).
  // NOTE: Leader should propose a noop entry on its term.
}

bool Raft::sendAppend(uint64_t to) {
  // Your Code Here (2A).
  // (2C): when the entry before prs[to].next is compacted (Term answers ErrCompacted),
  // send a snapshot instead.
  (void)to;
  return false;
}

void Raft::sendHeartbeat(uint64_t to) {
  // Your Code Here (2A).
  (void)to;
}

void Raft::sendSnapshot(uint64_t to) {
  // Your Code Here (2C).
  (void)to;
}

void Raft::handleAppendEntries(const eraftpb::Message& m) {
  // Your Code Here (2A).
  (void)m;
}

void Raft::handleHeartbeat(const eraftpb::Message& m) {
  // Your Code Here (2A).
  (void)m;
}

void Raft::handleSnapshot(const eraftpb::Message& m) {
  // Your Code Here (2C).
  (void)m;
}

void Raft::addNode(uint64_t id) {
  // Project 3; not part of these labs.
  (void)id;
}

void Raft::removeNode(uint64_t id) {
  // Project 3; not part of these labs.
  (void)id;
}

}  // namespace raft
