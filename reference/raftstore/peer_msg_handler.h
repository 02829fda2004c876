#pragma once

// PeerMsgHandler: everything a peer does, one message at a time, on its store's raft worker
// (TinyKV's peer_msg_handler.go). The raft worker makes a handler for a peer, calls
// HandleMsg for each message that arrived for it, then HandleRaftReady once.
//
// Student file (2B, 2C). Given (framework, in peer_msg_dispatch.cc): HandleMsg and the message
// kinds it dispatches to — Raft messages from other peers (stepped into the RawNode; a
// snapshot's chunks are collected first), ticks (including the raft log GC tick, which
// proposes CompactLog), and commands, which are checked (store, leadership, term, epoch, keys)
// before they reach proposeRaftCommand; and ScheduleCompactLog. Yours, in
// peer_msg_handler.cc: proposeRaftCommand and HandleRaftReady (2B), and in 2C applying the
// CompactLog admin command and a Ready that carries a snapshot.

#include <memory>

#include "kv/engine_util/write_batch.h"
#include "proto/eraftpb.pb.h"
#include "proto/raft_cmdpb.pb.h"
#include "proto/raft_serverpb.pb.h"
#include "raftstore/global_context.h"
#include "raftstore/message/callback.h"
#include "raftstore/message/msg.h"
#include "raftstore/peer.h"
#include "raftstore/util/region_error.h"

namespace raftstore {

class PeerMsgHandler {
 public:
  PeerMsgHandler(Peer* peer, GlobalContext* ctx) : peer_(peer), ctx_(ctx) {}

  // Handles one message for the peer. Given.
  void HandleMsg(Msg& msg);

  // Does what the peer's RawNode asks, if it has a Ready: persist the Ready's entries and hard
  // state (PeerStorage::SaveReadyState), send its messages (Peer::Send through ctx_->trans),
  // apply its committed entries, then Advance.
  //
  // Applying an entry: an empty entry is a new leader's no-op; otherwise its data is a
  // serialized raft_cmdpb::RaftCmdRequest whose requests are applied in order — Put and Delete
  // change the kv engine's column family, Get reads it, Snap answers with the region and a
  // snapshot of the kv engine (Callback::txn). The entry's writes and the new
  // RaftApplyState (applied_index) go to the kv engine in ONE write batch, so that after a
  // crash an entry is either applied with its index recorded or not at all. A command that
  // cannot be applied (data that is no RaftCmdRequest, an unknown column family or request
  // type) is committed for good: apply its entry as a no-op, none of its requests, and answer
  // with an error (docs/lab2b.md, "A command that cannot be applied").
  //
  // After applying an entry, answer the proposal waiting for it (Peer::proposals): the one
  // recorded with this index and term gets the responses (with the current term bound); one
  // recorded with this index but another term, or with an older index, was overwritten by a
  // new leader's log and gets StaleCommand.
  //
  // Lab 2C. A command may carry an admin request instead of requests: CompactLog (TinyKV's
  // processAdminRequest). Applying it moves RaftApplyState.truncated_state to its compact
  // index and term (only forward: an older CompactLog changes nothing), writes the apply
  // state with the entry's batch as usual, answers with an AdminResponse of type CompactLog,
  // and then calls ScheduleCompactLog(truncated index) so the raftlog-gc worker deletes the
  // entries. And when SaveReadyState reports that it applied a snapshot, make its region the
  // peer's (Peer::SetRegion; remember its peers with InsertPeerCache).
  // Your Code Here (2B). Your Code Here (2C).
  void HandleRaftReady();

  // Given (2C): hands the deletion of the log entries up to `truncated_index` (inclusive)
  // to the store's raftlog-gc worker, from where the last such task stopped
  // (Peer::last_compacted_idx).
  void ScheduleCompactLog(uint64_t truncated_index);

 private:
  // Given: the message kinds HandleMsg dispatches to.
  void onRaftMsg(const raft_serverpb::RaftMessage& msg);
  bool validateRaftMessage(const raft_serverpb::RaftMessage& msg) const;
  void onTick();
  void onRaftBaseTick();
  // The raft log GC tick (2C, TinyKV's onRaftGCLogTick): a leader whose log holds at least
  // Config::raft_log_gc_count_limit applied entries proposes CompactLog up to its applied
  // index - 1, with that entry's term.
  void onRaftGcLogTick();
  // A snapshot's chunk, or the MsgSnapshot that follows its chunks (2C): the files are
  // collected in the store's SnapManager, and the MsgSnapshot is stepped only once they are
  // complete and intact. Returns whether `msg` may be stepped.
  bool onSnapshotTransfer(const raft_serverpb::RaftMessage& msg);
  void startTicker();
  // The checks before a command may be proposed: the right store, this peer is the leader
  // (NotLeader otherwise, with the leader it knows of), the term is not stale, the epoch
  // matches, every key is in the region.
  RegionError preProposeRaftCommand(const raft_cmdpb::RaftCmdRequest& req) const;

  // Proposes `msg` (already checked by preProposeRaftCommand) to the Raft group and records
  // `cb` as a Proposal with the index and term the entry will have, so HandleRaftReady can
  // answer it once the entry is applied. If Raft refuses the proposal, answer `cb` at once with
  // the error.
  // Your Code Here (2B).
  void proposeRaftCommand(const raft_cmdpb::RaftCmdRequest& msg, Callback cb);

  Peer* peer_;
  GlobalContext* ctx_;

  // Your Code Here (2B). Add any helpers you need below.

  // Applies one committed entry (its writes and the apply state in one batch) and answers the
  // proposal waiting for it.
  void applyEntry(const eraftpb::Entry& entry);
  // Why the committed command `req` (of `entry`) must not be applied, or no error: another
  // region, a stale epoch, an unknown command type or column family, a key outside the
  // region, a CompactLog naming an entry that is not applied or has another term.
  RegionError checkCommand(const raft_cmdpb::RaftCmdRequest& req,
                           const eraftpb::Entry& entry) const;
  // Runs the requests of a normal command into `wb` (reads see the batch written first) and
  // fills `resp`; sets `*snap` for a Snap request.
  void applyRequests(const raft_cmdpb::RaftCmdRequest& req, kv::WriteBatch* wb,
                     raft_cmdpb::RaftCmdResponse* resp, bool* wants_snap);
  // Applies an admin command (CompactLog: moves the truncated state forward) and fills
  // `resp`. Returns whether the log was compacted, i.e. ScheduleCompactLog is due once the
  // entry's batch is written.
  bool processAdminRequest(const raft_cmdpb::AdminRequest& req, raft_cmdpb::RaftCmdResponse* resp);
  // Answers the proposals up to `entry`: the one it carries with `resp`, older or
  // overwritten ones with StaleCommand.
  void answerProposals(const eraftpb::Entry& entry, raft_cmdpb::RaftCmdResponse resp,
                       bool wants_snap);
  // Answers, as stale, the proposals of terms before `committed_term` (see the .cc).
  void answerProposalsOlderThan(uint64_t committed_term);
};

}  // namespace raftstore
