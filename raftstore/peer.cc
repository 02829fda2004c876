#include "raftstore/peer.h"

#include <stdexcept>

#include "raft/logging.h"
#include "raft/util.h"
#include "raftstore/util/checks.h"

namespace raftstore {

kv::Result<std::unique_ptr<Peer>> Peer::Create(uint64_t store_id, const Config& cfg,
                                               kv::Engines* engines, const metapb::Region& region,
                                               uint64_t random_seed) {
  std::optional<metapb::Peer> meta = FindPeer(region, store_id);
  if (!meta) {
    return kv::Status::InvalidArgument(DescribeRegion(region) + " has no peer on store " +
                                       std::to_string(store_id));
  }
  const std::string tag =
      "[region " + std::to_string(region.id()) + "] " + std::to_string(meta->id());
  auto ps = PeerStorage::Create(engines, region, tag);
  if (!ps.ok()) return ps.status();

  std::unique_ptr<Peer> peer(new Peer(cfg));
  peer->meta = *meta;
  peer->tag = tag;
  peer->log = raft::MakeLogger(tag);
  peer->peer_storage = std::move(ps).value();
  for (const metapb::Peer& p : region.peers()) peer->InsertPeerCache(p);

  raft::Config rc;
  rc.id = meta->id();
  rc.election_tick = cfg.raft_election_timeout_ticks;
  rc.heartbeat_tick = cfg.raft_heartbeat_ticks;
  rc.storage = peer->peer_storage.get();
  rc.applied = peer->peer_storage->AppliedIndex();
  rc.random_seed = random_seed;
  // Bounds what one append to a far-behind follower copies (see raft::Config).
  rc.max_entries_per_append = 256;
  try {
    peer->raft_group = std::make_unique<raft::RawNode>(rc);
  } catch (const std::exception& e) {
    return kv::Status::InvalidArgument(tag + " cannot start Raft: " + e.what());
  }
  return peer;
}

uint64_t Peer::LeaderId() const { return raft_group->raft->lead; }

bool Peer::IsLeader() const { return raft_group->raft->state == raft::StateType::kLeader; }

uint64_t Peer::Term() const { return raft_group->raft->term; }

uint64_t Peer::NextProposalIndex() const { return raft_group->raft->raft_log.LastIndex() + 1; }

void Peer::InsertPeerCache(const metapb::Peer& peer) { peer_cache_[peer.id()] = peer; }

std::optional<metapb::Peer> Peer::GetPeerFromCache(uint64_t peer_id) const {
  auto it = peer_cache_.find(peer_id);
  if (it != peer_cache_.end()) return it->second;
  for (const metapb::Peer& p : Region().peers()) {
    if (p.id() == peer_id) return p;
  }
  return std::nullopt;
}

void Peer::Send(Transport* trans, const std::vector<eraftpb::Message>& msgs) {
  std::vector<eraftpb::Message> copy = msgs;
  Send(trans, std::move(copy));
}

void Peer::Send(Transport* trans, std::vector<eraftpb::Message>&& msgs) {
  for (eraftpb::Message& m : msgs) {
    std::optional<metapb::Peer> to = GetPeerFromCache(m.to());
    if (!to) {
      log->warn("drop {}: peer {} unknown", raft::DescribeMessage(m), m.to());
      continue;
    }
    raft_serverpb::RaftMessage rm;
    rm.set_region_id(RegionId());
    *rm.mutable_from_peer() = meta;
    *rm.mutable_to_peer() = *to;
    *rm.mutable_region_epoch() = Region().region_epoch();
    rm.set_start_key(Region().start_key());
    rm.set_end_key(Region().end_key());
    // Said before the message moves into the transport, for the failure's log line.
    const eraftpb::MessageType type = m.msg_type();
    const uint64_t to_id = m.to();
    *rm.mutable_message() = std::move(m);
    kv::Status s = trans->SendOwned(std::move(rm));
    if (!s.ok()) {
      log->debug("send {} to {} failed: {}", raft::MessageTypeName(type), to_id, s.ToString());
    }
  }
}

}  // namespace raftstore
