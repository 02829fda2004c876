#pragma once

// PeerMsgHandler: everything a peer does, one message at a time, on its store's raft worker
// (TinyKV's peer_msg_handler.go). The raft worker makes a handler for a peer, calls
// HandleMsg for each message that arrived for it, then HandleRaftReady once.
//
// Student file (2B). Given (framework, in peer_msg_dispatch.cc): HandleMsg and the message
// kinds it dispatches to — Raft messages from other peers (stepped into the RawNode), ticks,
// and commands, which are checked (store, leadership, term, epoch, keys) before they reach
// proposeRaftCommand. Yours, in peer_msg_handler.cc: proposeRaftCommand and HandleRaftReady.

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
  // crash an entry is either applied with its index recorded or not at all.
  //
  // After applying an entry, answer the proposal waiting for it (Peer::proposals): the one
  // recorded with this index and term gets the responses (with the current term bound); one
  // recorded with this index but another term, or with an older index, was overwritten by a
  // new leader's log and gets StaleCommand.
  // Your Code Here (2B).
  void HandleRaftReady();

 private:
  // Given: the message kinds HandleMsg dispatches to.
  void onRaftMsg(const raft_serverpb::RaftMessage& msg);
  bool validateRaftMessage(const raft_serverpb::RaftMessage& msg) const;
  void onTick();
  void onRaftBaseTick();
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
  // Runs the requests of a normal command into `wb` (reads see the batch written first) and
  // fills `resp`; sets `*snap` for a Snap request.
  void applyRequests(const raft_cmdpb::RaftCmdRequest& req, kv::WriteBatch* wb,
                     raft_cmdpb::RaftCmdResponse* resp, bool* wants_snap);
  // Answers the proposals up to `entry`: the one it carries with `resp`, older or
  // overwritten ones with StaleCommand.
  void answerProposals(const eraftpb::Entry& entry, raft_cmdpb::RaftCmdResponse resp,
                       bool wants_snap);
};

}  // namespace raftstore
