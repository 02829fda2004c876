#pragma once

// Raft: the consensus algorithm as a pure state machine. It has no I/O and no threads:
// callers feed it messages (Step) and clock ticks (tick), and take the messages it wants
// sent from `msgs`. Reference version of the student file raft/raft.h.
//
// Every member is public so that tests can drive the node directly (as TinyKV's Go tests
// do); code outside the library should go through RawNode.

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <vector>

#include "proto/eraftpb.pb.h"
#include "raft/config.h"
#include "raft/errors.h"
#include "raft/logging.h"
#include "raft/progress.h"
#include "raft/raft_log.h"
#include "raft/random.h"

namespace raft {

// Raft never uses node id 0: it means "no leader" / "no vote".
inline constexpr uint64_t None = 0;

enum class StateType { kFollower, kCandidate, kLeader };

// "StateFollower", "StateCandidate", "StateLeader".
const char* StateName(StateType s);

class Raft {
 public:
  // A node in the follower state at the term and vote storage records, with the peers of
  // config.peers (or storage's ConfState when peers is empty). Throws std::invalid_argument
  // when config.Validate() fails.
  explicit Raft(const Config& config);

  // Advances the node's clock by one tick: followers and candidates count towards an
  // election, leaders towards the next heartbeat.
  void tick();

  // The single entry point for every message, local (MsgHup, MsgBeat, MsgPropose) or from a
  // peer. Handles terms first (a higher term makes this node a follower), then dispatches on
  // the node's state.
  Error Step(const eraftpb::Message& m);
  // The same for a message the caller gives up: its entries (a proposal's, an append's) and
  // snapshot move into the log instead of being copied.
  Error Step(eraftpb::Message&& m);

  void becomeFollower(uint64_t term, uint64_t lead);
  void becomeCandidate();
  // Becomes leader and appends a no-op entry of the new term (so that entries of earlier
  // terms can be committed: only entries of the current term are committed by counting).
  void becomeLeader();

  // Sends `to` the entries it is missing (from prs[to].next), or a snapshot when those were
  // compacted. Returns true if a message was sent.
  bool sendAppend(uint64_t to);
  void sendHeartbeat(uint64_t to);
  // Sends `to` storage's snapshot; does nothing when storage answers
  // ErrSnapshotTemporarilyUnavailable (the leader tries again later) (2C).
  void sendSnapshot(uint64_t to);

  void handleAppendEntries(const eraftpb::Message& m);
  void handleHeartbeat(const eraftpb::Message& m);
  // Restores the log and membership from a leader's snapshot (2C).
  void handleSnapshot(const eraftpb::Message& m);

  // Membership change (TinyKV project 3): not part of these labs.
  void addNode(uint64_t id);
  void removeNode(uint64_t id);

  uint64_t id = 0;
  // The current term and the vote cast in it (None if none): persisted as the HardState.
  uint64_t term = 0;
  uint64_t vote = None;
  RaftLog raft_log;
  // Log replication progress of each peer (leader only), the node itself included.
  std::map<uint64_t, Progress> prs;
  StateType state = StateType::kFollower;
  // Votes received in the current election (candidate only): peer -> granted.
  std::map<uint64_t, bool> votes;
  // Messages to send; the caller (RawNode, a test) takes them.
  std::vector<eraftpb::Message> msgs;
  // The leader this node knows of, or None.
  uint64_t lead = None;
  int heartbeat_timeout = 0;
  // The configured (base) election timeout.
  int election_timeout = 0;
  // Ticks since the last heartbeat was sent (leader only).
  int heartbeat_elapsed = 0;
  // Ticks since the last election timeout reset.
  int election_elapsed = 0;
  // Seeded from Config::random_seed: use it for the randomized election timeout.
  Random rand{0};
  // Leadership transfer and membership change (project 3): unused in these labs.
  uint64_t lead_transferee = None;
  uint64_t pending_conf_index = 0;

  // This term's election timeout, drawn from [election_timeout, 2 * election_timeout) each
  // time the node resets it, so that split votes don't repeat forever (paper §5.2).
  int randomized_election_timeout = 0;
  // Config::max_entries_per_append (0: no limit).
  uint64_t max_entries_per_append = 0;

  // The current HardState (term, vote, commit).
  eraftpb::HardState hardState() const;
  // The number of nodes that make a majority.
  size_t quorum() const { return prs.size() / 2 + 1; }

 private:
  void reset(uint64_t term);
  void resetRandomizedElectionTimeout();
  void campaign();
  void send(eraftpb::Message m);
  void bcastAppend();
  void bcastHeartbeat();
  // Appends a proposal's entries, stamped with this term; taken out of `owned` (the same field,
  // given up by the caller) when it is not null, copied otherwise.
  void appendEntries(const google::protobuf::RepeatedPtrField<eraftpb::Entry>& ents,
                     google::protobuf::RepeatedPtrField<eraftpb::Entry>* owned = nullptr);
  // Advances committed to the highest index of the current term stored on a majority.
  bool maybeCommit();
  // Step and the handlers below it: `owned` is m itself when the caller gave it up (its
  // entries and snapshot may be moved out), null when m must stay as it is.
  Error step(const eraftpb::Message& m, eraftpb::Message* owned);
  void stepFollower(const eraftpb::Message& m, eraftpb::Message* owned);
  void stepCandidate(const eraftpb::Message& m, eraftpb::Message* owned);
  Error stepLeader(const eraftpb::Message& m, eraftpb::Message* owned);
  void handleAppendEntries(const eraftpb::Message& m, eraftpb::Message* owned);
  void handleSnapshot(const eraftpb::Message& m, eraftpb::Message* owned);
  void handleRequestVote(const eraftpb::Message& m);
  void handleVoteResponse(const eraftpb::Message& m);
  void handleAppendResponse(const eraftpb::Message& m);
  void handleHeartbeatResponse(const eraftpb::Message& m);
  // Answers a message from an older term so that its stale sender learns the new term.
  void rejectStale(const eraftpb::Message& m);

  // Flow control: how the leader avoids resending what is already on its way (what etcd's
  // Progress states do). Kept here, privately, because Progress (raft/progress.h) and the
  // public members are the students' API and tests set them directly.
  struct Flow {
    enum class State {
      // Where the follower's log matches is unknown: each event (proposal, answer,
      // heartbeat response) sends an append from Progress::next, as the plain 2AB leader does.
      kProbe,
      // The follower is known to match: send each entry once, optimistically (past `sent`),
      // with at most kMaxInflight appends unacknowledged.
      kReplicate,
      // A snapshot is on its way: appends follow it optimistically, but no second snapshot
      // is sent until the follower acknowledges this one (or has been answering heartbeats
      // for an election timeout without doing so: it was lost).
      kSnapshot,
    };
    State state = State::kProbe;
    // The last index sent (replicate, snapshot); at least Progress::match.
    uint64_t sent = 0;
    // Progress::match at the last heartbeat response (replicate): unchanged at the next one
    // means appends were lost.
    uint64_t hb_match = 0;
    // The last index of each unacknowledged append with entries, oldest first (replicate).
    std::deque<uint64_t> inflight;
    uint64_t pending_snapshot = 0;
    // Leader ticks since the snapshot was sent.
    int snapshot_ticks = 0;
  };
  // etcd's MaxInflightMsgs in raftexample and TiKV.
  static constexpr size_t kMaxInflight = 256;

  // Sends `to` an append from index `next` (or a snapshot if that is compacted). Returns true
  // if an append was sent, with *last the index of its last entry (next - 1 if it had none).
  bool sendAppendFrom(uint64_t to, uint64_t next, uint64_t* last);
  // Sends `to` what it is due unless its flow is paused; an empty append (the commit index
  // only) only if send_if_empty. Returns true if an append with entries was sent.
  bool maybeSendAppend(uint64_t to, bool send_if_empty);
  void becomeReplicate(uint64_t to);
  // Resends `to` everything from Progress::next (a heartbeat showed appends were lost).
  void retransmit(uint64_t to);
  void becomeProbe(uint64_t to);

  // Per follower (leader only); a peer missing here is in the probe state.
  std::map<uint64_t, Flow> flow_;
  // maybeCommit's scratch space.
  std::vector<uint64_t> matches_;

  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace raft
