#pragma once

// GrpcTransport: raftstore's Transport over gRPC, for the live server. Each other store gets
// two lanes, each a client stream of RaftMessages (TinyKv.Raft and TinyKv.Snapshot) fed by a
// thread of its own from a bounded queue:
//   raft      every ordinary Raft message;
//   snapshot  a snapshot's chunks and then its MsgSnapshot (SnapTransport sends them in that
//             order and the receiver needs them in that order; one stream keeps it), so that
//             a large snapshot never holds up heartbeats and appends.
// Sending is fire-and-forget, as Raft expects: when a store is down or a stream breaks, what
// is queued for it is dropped and the lane retries after a short pause; Raft's own retries
// (heartbeats, re-sent appends and snapshots) repair the loss.

#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "proto/tinykvpb.grpc.pb.h"
#include "raftstore/transport.h"
#include "server/cluster_config.h"

namespace server {

// gRPC channel arguments for store-to-store and client channels: reconnect within about a
// second of a restarted store coming back (gRPC's default backoff grows to two minutes).
grpc::ChannelArguments FastReconnectArgs();

class GrpcTransport : public raftstore::Transport {
 public:
  GrpcTransport(uint64_t self_store_id, const ClusterConfig& cluster,
                std::shared_ptr<spdlog::logger> log);
  // Closes every stream and joins the lanes' threads.
  ~GrpcTransport() override;

  kv::Status Send(const raft_serverpb::RaftMessage& msg) override;

  uint64_t messages_sent() const { return sent_.load(); }
  uint64_t messages_dropped() const { return dropped_.load(); }

 private:
  class Lane;

  uint64_t self_;
  std::shared_ptr<spdlog::logger> log_;
  std::atomic<uint64_t> sent_{0};
  std::atomic<uint64_t> dropped_{0};
  // Store id -> its raft and snapshot lanes (fixed after construction).
  std::map<uint64_t, std::unique_ptr<Lane>> raft_lanes_;
  std::map<uint64_t, std::unique_ptr<Lane>> snap_lanes_;
};

}  // namespace server
