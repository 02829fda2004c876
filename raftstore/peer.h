#pragma once

// Peer: one replica of a region on this store (TinyKV's peer.go): the region's RawNode over
// its PeerStorage, the proposals waiting for their entries to be applied, and the peer's
// ticker. Framework: the message handler (peer_msg_handler.h) is where the peer's logic lives.

#include <spdlog/spdlog.h>

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kv/engine_util/engines.h"
#include "kv/engine_util/status.h"
#include "proto/eraftpb.pb.h"
#include "proto/metapb.pb.h"
#include "raft/rawnode.h"
#include "raftstore/config.h"
#include "raftstore/message/callback.h"
#include "raftstore/peer_storage.h"
#include "raftstore/ticker.h"
#include "raftstore/transport.h"

namespace raftstore {

// A command proposed by this peer: it is answered once the entry at (index, term) is applied,
// or with StaleCommand once it is clear that entry will never be (another entry took its
// index).
struct Proposal {
  uint64_t index = 0;
  uint64_t term = 0;
  Callback cb;
};

class Peer {
 public:
  // The peer of `region` on store `store_id`, loaded from the engines. `random_seed` seeds its
  // Raft node's election timeouts. kInvalidArgument when the region has no peer on that store
  // or Raft refuses the configuration.
  static kv::Result<std::unique_ptr<Peer>> Create(uint64_t store_id, const Config& cfg,
                                                  kv::Engines* engines,
                                                  const metapb::Region& region,
                                                  uint64_t random_seed);

  uint64_t RegionId() const { return peer_storage->region.id(); }
  const metapb::Region& Region() const { return peer_storage->region; }
  void SetRegion(const metapb::Region& region) { peer_storage->SetRegion(region); }
  uint64_t PeerId() const { return meta.id(); }
  uint64_t StoreId() const { return meta.store_id(); }
  // The leader this peer knows of (raft::None if none).
  uint64_t LeaderId() const;
  bool IsLeader() const;
  uint64_t Term() const;
  bool IsInitialized() const { return peer_storage->IsInitialized(); }
  // The index the next proposal will get: the last index of the Raft log, plus one.
  uint64_t NextProposalIndex() const;

  // The region's peers by id, to address messages (kept from the region and from the
  // messages received).
  void InsertPeerCache(const metapb::Peer& peer);
  std::optional<metapb::Peer> GetPeerFromCache(uint64_t peer_id) const;

  // Sends Raft messages to the other peers of the region, each wrapped in a RaftMessage with
  // the routing (region, from, to, epoch) the receiving store needs. Messages to peers this
  // peer does not know are dropped (and logged).
  void Send(Transport* trans, const std::vector<eraftpb::Message>& msgs);
  // The same, moving the messages (and their entries) instead of copying them.
  void Send(Transport* trans, std::vector<eraftpb::Message>&& msgs);

  // Declared before raft_group: the RawNode reads through it, so it must be destroyed last.
  std::unique_ptr<PeerStorage> peer_storage;
  std::unique_ptr<raft::RawNode> raft_group;
  // This peer's id and store.
  metapb::Peer meta;
  // "[region 1] 2": the prefix of this peer's log lines.
  std::string tag;
  // Commands proposed and not answered yet, in proposal (index) order (2B).
  std::deque<Proposal> proposals;
  // The log index up to which a raftlog-gc task was last scheduled (2C).
  uint64_t last_compacted_idx = 0;
  // Set when the peer is destroyed; a stopped peer ignores everything.
  bool stopped = false;
  Ticker ticker;
  std::shared_ptr<spdlog::logger> log;

 private:
  explicit Peer(const Config& cfg) : ticker(cfg) {}
  std::map<uint64_t, metapb::Peer> peer_cache_;
};

}  // namespace raftstore
