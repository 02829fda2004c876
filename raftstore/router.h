#pragma once

// Router: a store's peers by region id, and the way in to them (TinyKV's router.go). Anything
// that wants a peer to do something — the transport delivering a Raft message, a client
// proposing a command, the store's ticker — sends the peer a Msg through the router; the
// router queues it on the store's raft worker, which hands it to the peer's message handler.
// The router owns the peers. Peers are added and removed on the raft worker only; Send may be
// called from anywhere.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "proto/raft_cmdpb.pb.h"
#include "proto/raft_serverpb.pb.h"
#include "raftstore/message/callback.h"
#include "raftstore/message/msg.h"
#include "raftstore/peer.h"
#include "raftstore/util/region_error.h"

namespace raftstore {

class Router {
 public:
  // `post` queues a (region id, message) pair on the raft worker.
  using PostFn = std::function<void(uint64_t region_id, Msg msg)>;
  explicit Router(PostFn post) : post_(std::move(post)) {}

  void Register(std::unique_ptr<Peer> peer);
  // Removes and destroys the region's peer (nothing if there is none).
  void Close(uint64_t region_id);
  // The region's peer, or null. Only on the raft worker: the peer may go away otherwise.
  Peer* Get(uint64_t region_id) const;
  std::vector<uint64_t> RegionIds() const;

  // Queues `msg` for the region's peer. RegionNotFound when this store has none.
  RegionError Send(uint64_t region_id, Msg msg);
  // A Raft message from another store.
  RegionError SendRaftMessage(const raft_serverpb::RaftMessage& msg);
  // A command for the region named in its header. When there is no such peer, `cb` is
  // answered with RegionNotFound right away.
  void SendRaftCommand(const raft_cmdpb::RaftCmdRequest& req, Callback cb);

 private:
  PostFn post_;
  mutable std::mutex mu_;
  std::map<uint64_t, std::unique_ptr<Peer>> peers_;
};

}  // namespace raftstore
