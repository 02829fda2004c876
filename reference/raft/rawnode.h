#pragma once

// RawNode: the interface an application (raftstore, the demo, tests) uses to drive a Raft
// node. The application's loop:
//
//   tick() on a timer; Step() each message from a peer; Propose() client commands;
//   if (HasReady()) {
//     Ready rd = Ready();
//     persist rd.hard_state, rd.entries (and rd.snapshot) to storage;
//     send rd.messages;
//     apply rd.committed_entries;
//     Advance(rd);
//   }
//
// Reference version of the student file raft/rawnode.h.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "proto/eraftpb.pb.h"
#include "raft/config.h"
#include "raft/errors.h"
#include "raft/progress.h"
#include "raft/raft.h"

namespace raft {

// State that is useful to know but need not be persisted.
struct SoftState {
  uint64_t lead = None;
  StateType raft_state = StateType::kFollower;

  friend bool operator==(const SoftState&, const SoftState&) = default;
};

// Everything the application must do in one round: persist, send, apply. All fields are
// read-only to the application.
struct Ready {
  // Set only when the leader or the node's role changed since the last Ready.
  std::optional<SoftState> soft_state;

  // The HardState to persist before sending messages; empty (all zero) when unchanged.
  eraftpb::HardState hard_state;

  // Entries to persist before sending messages.
  std::vector<eraftpb::Entry> entries;

  // A snapshot to persist and apply (2C); empty (index 0) when there is none.
  eraftpb::Snapshot snapshot;

  // Entries to apply to the state machine; they are already committed (and persisted).
  std::vector<eraftpb::Entry> committed_entries;

  // Messages to send after entries and hard state are persisted.
  std::vector<eraftpb::Message> messages;
};

class RawNode {
 public:
  // Starts (or restarts, if storage holds state) a node. Throws std::invalid_argument when
  // config.Validate() fails.
  explicit RawNode(const Config& config);

  // Advances the internal logical clock by one tick.
  void Tick();
  // Makes this node a candidate now.
  Error Campaign();
  // Proposes data be appended to the log.
  Error Propose(const std::string& data);
  // The same, taking the caller's buffer: it becomes the log entry's payload, uncopied.
  Error Propose(std::string&& data);
  // Proposes a membership change (project 3).
  Error ProposeConfChange(const eraftpb::ConfChange& cc);
  // Applies a committed membership change (project 3).
  eraftpb::ConfState ApplyConfChange(const eraftpb::ConfChange& cc);
  // Feeds a message from a peer. Local message types (MsgHup, MsgBeat) are refused.
  Error Step(const eraftpb::Message& m);
  // The same for a message the caller gives up: its entries move into the log, uncopied.
  Error Step(eraftpb::Message&& m);

  // What the application must do now. Calling it does not consume anything: the same
  // changes are reported again until Advance.
  raft::Ready Ready();
  // True when Ready() has something to do.
  bool HasReady();
  // Tells the node that the application persisted, sent and applied everything in rd.
  void Advance(const raft::Ready& rd);

  // The replication progress of each peer, when this node is the leader.
  std::map<uint64_t, Progress> GetProgress();
  // Asks the leader to hand over leadership (project 3).
  void TransferLeader(uint64_t transferee);

  std::unique_ptr<raft::Raft> raft;

 private:
  SoftState softState() const;
  // Why m may not be stepped (a local message), or OK.
  static Error refuseLocal(const eraftpb::Message& m);

  // What the application last acknowledged with Advance, to report only changes.
  SoftState prev_soft_state_;
  eraftpb::HardState prev_hard_state_;
};

}  // namespace raft
