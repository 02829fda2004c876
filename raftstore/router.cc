#include "raftstore/router.h"

#include "raftstore/util/cmd_resp.h"

namespace raftstore {

void Router::Register(std::unique_ptr<Peer> peer) {
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t id = peer->RegionId();
  peers_[id] = std::move(peer);
}

void Router::Close(uint64_t region_id) {
  std::unique_ptr<Peer> gone;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = peers_.find(region_id);
    if (it == peers_.end()) return;
    gone = std::move(it->second);
    peers_.erase(it);
  }
  gone->stopped = true;
}

Peer* Router::Get(uint64_t region_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = peers_.find(region_id);
  return it == peers_.end() ? nullptr : it->second.get();
}

std::vector<uint64_t> Router::RegionIds() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<uint64_t> ids;
  for (const auto& [id, peer] : peers_) ids.push_back(id);
  return ids;
}

RegionError Router::Send(uint64_t region_id, Msg msg) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (peers_.find(region_id) == peers_.end()) return ErrRegionNotFound(region_id);
  }
  post_(region_id, std::move(msg));
  return RegionError();
}

RegionError Router::SendRaftMessage(const raft_serverpb::RaftMessage& msg) {
  return Send(msg.region_id(), MsgRaftMessage{msg});
}

void Router::SendRaftCommand(const raft_cmdpb::RaftCmdRequest& req, Callback cb) {
  const uint64_t region_id = req.header().region_id();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (peers_.find(region_id) == peers_.end()) {
      cb.Done(ErrRespRegionNotFound(region_id));
      return;
    }
  }
  post_(region_id, MsgRaftCmd{req, std::move(cb)});
}

}  // namespace raftstore
