#include "raftstore/util/checks.h"

#include <string>

namespace raftstore {

RegionError CheckKeyInRegion(std::string_view key, const metapb::Region& region) {
  if (key >= region.start_key() && (region.end_key().empty() || key < region.end_key())) {
    return RegionError();
  }
  return ErrKeyNotInRegion(std::string(key), region);
}

bool IsEpochStale(const metapb::RegionEpoch& epoch, const metapb::RegionEpoch& check_epoch) {
  return epoch.version() < check_epoch.version() || epoch.conf_ver() < check_epoch.conf_ver();
}

RegionError CheckRegionEpoch(const raft_cmdpb::RaftCmdRequest& req, const metapb::Region& region,
                             bool include_region) {
  bool check_ver = false;
  bool check_conf_ver = false;
  if (req.has_admin_request()) {
    switch (req.admin_request().cmd_type()) {
      case raft_cmdpb::CompactLog:
      case raft_cmdpb::InvalidAdmin:
        break;
      case raft_cmdpb::Split:
        check_ver = true;
        break;
      case raft_cmdpb::ChangePeer:
        check_conf_ver = true;
        break;
      case raft_cmdpb::TransferLeader:
        check_ver = check_conf_ver = true;
        break;
      default:
        break;
    }
  } else {
    // Normal requests depend on the key range only.
    check_ver = true;
  }
  if (!check_ver && !check_conf_ver) return RegionError();

  if (!req.header().has_region_epoch()) return ErrOther("missing region epoch in request header");
  const metapb::RegionEpoch& from = req.header().region_epoch();
  const metapb::RegionEpoch& current = region.region_epoch();
  const bool stale = (check_conf_ver && from.conf_ver() < current.conf_ver()) ||
                     (check_ver && from.version() < current.version());
  if (!stale) return RegionError();
  std::vector<metapb::Region> regions;
  if (include_region) regions.push_back(region);
  return ErrEpochNotMatch("request epoch (conf_ver " + std::to_string(from.conf_ver()) +
                              ", version " + std::to_string(from.version()) +
                              ") is older than region " + std::to_string(region.id()) +
                              "'s (conf_ver " + std::to_string(current.conf_ver()) + ", version " +
                              std::to_string(current.version()) + ")",
                          regions);
}

std::optional<metapb::Peer> FindPeer(const metapb::Region& region, uint64_t store_id) {
  for (const metapb::Peer& p : region.peers()) {
    if (p.store_id() == store_id) return p;
  }
  return std::nullopt;
}

bool IsInitialMsg(const eraftpb::Message& msg) {
  return msg.msg_type() == eraftpb::MsgRequestVote ||
         // A leader's heartbeat carries commit 0 when it does not know the follower's log.
         (msg.msg_type() == eraftpb::MsgHeartbeat && msg.commit() == 0);
}

std::string DescribeRegion(const metapb::Region& region) {
  std::string out = "region " + std::to_string(region.id()) + " [\"" + region.start_key() +
                    "\", \"" + region.end_key() + "\") epoch(conf_ver " +
                    std::to_string(region.region_epoch().conf_ver()) + ", version " +
                    std::to_string(region.region_epoch().version()) + ") peers [";
  for (int i = 0; i < region.peers_size(); ++i) {
    if (i > 0) out += ' ';
    out += std::to_string(region.peers(i).id()) + "@" + std::to_string(region.peers(i).store_id());
  }
  return out + "]";
}

}  // namespace raftstore
