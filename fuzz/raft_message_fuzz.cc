// Fuzz target: Raft messages as a store receives them from other stores. The input is a
// series of RaftMessages (a 2-byte big-endian length, then the message); each one's Raft
// message is stepped into a follower's RawNode (id 1 of peers 1, 2, 3), and after each step the
// node's Ready is handled as a peer does (snapshot, hard state and entries persisted to its
// MemoryStorage, then Advance), with a tick now and then. A message from a confused or hostile
// peer must be refused with an Error or ignored, never crash the node, and the node's own
// state must stay consistent: commit never past its last index, term never going back.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>

#include "fuzz/fuzz_check.h"
#include "fuzz/raft_message_stream.h"
#include "proto/raft_serverpb.pb.h"
#include "raft/memory_storage.h"
#include "raft/rawnode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  raft::MemoryStorage storage;
  raft::Config config;
  config.id = 1;
  config.peers = {1, 2, 3};
  config.election_tick = 10;
  config.heartbeat_tick = 1;
  config.storage = &storage;
  config.random_seed = 1;
  raft::RawNode node(config);
  uint64_t last_term = 0;
  fuzz::ForEachRaftMessage(data, size, [&](const raft_serverpb::RaftMessage& msg, int step) {
    eraftpb::Message m = msg.message();
    if (m.msg_type() == eraftpb::MsgHup || m.msg_type() == eraftpb::MsgBeat ||
        m.msg_type() == eraftpb::MsgPropose) {
      return;  // local messages: a store never steps them from the network
    }
    node.Step(m);  // an Error is a refusal: fine
    if (step % 8 == 7) node.Tick();
    for (int rounds = 0; node.HasReady(); ++rounds) {
      raft::Ready rd = node.Ready();
      if (rounds == 1000) {
        std::fprintf(
            stderr,
            "Ready after 1000 rounds: snapshot %llu, %zu entries, %zu committed, %zu messages\n",
            static_cast<unsigned long long>(rd.snapshot.metadata().index()), rd.entries.size(),
            rd.committed_entries.size(), rd.messages.size());
        FUZZ_CHECK(false, "the node has a Ready after 1000 rounds of Ready and Advance");
      }
      if (rd.snapshot.metadata().index() != 0) storage.ApplySnapshot(rd.snapshot);
      if (rd.hard_state.term() != 0 || rd.hard_state.commit() != 0 || rd.hard_state.vote() != 0) {
        storage.SetHardState(rd.hard_state);
      }
      if (!rd.entries.empty()) storage.Append(rd.entries);
      node.Advance(rd);
    }
    const uint64_t term = node.raft->term;
    FUZZ_CHECK(term >= last_term, "the node's term went back");
    last_term = term;
    FUZZ_CHECK(node.raft->raft_log.committed <= node.raft->raft_log.LastIndex(),
               "the node committed past its last index");
  });
  return 0;
}
