#pragma once

// LiveClient: the client side of the live cluster (tinykv-ctl, the integration tests, the
// demo). It keeps a guess of the leader's store and, as TinyKV's clients do, follows the
// leader hint of a NotLeader answer, tries the next store when a store is down or silent, and
// retries region errors until the operation's deadline. Thread-safe: one client may serve many
// threads (they share the gRPC channels).
//
// An attempt that may have taken effect without the client learning it (a timeout, a broken
// connection, the store's own "no answer within the timeout") is counted as ambiguous: a
// history checker must treat it as a write that may still happen (History::AddPendingCopy).

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kv/engine_util/status.h"
#include "proto/tinykvpb.grpc.pb.h"
#include "server/cluster_config.h"

namespace server {

struct ClientOptions {
  // How long one operation may take, retries included.
  std::chrono::milliseconds op_timeout{10'000};
  // How long one attempt (one RPC) may take.
  std::chrono::milliseconds rpc_timeout{4'000};
};

struct Outcome {
  // OK, or the last error seen when the deadline passed (or the request was refused: a bad
  // column family is not retried).
  kv::Status status;
  int attempts = 0;
  // Attempts whose effect is unknown (see above); only writes count them.
  int ambiguous = 0;
  // The store that answered.
  uint64_t store = 0;
  bool ok() const { return status.ok(); }
};

class LiveClient {
 public:
  explicit LiveClient(const ClusterConfig& cluster, ClientOptions options = {});

  Outcome Put(const std::string& key, const std::string& value, const std::string& cf = "default");
  Outcome Delete(const std::string& key, const std::string& cf = "default");
  // `*value` is std::nullopt when the key does not exist.
  Outcome Get(const std::string& key, std::optional<std::string>* value,
              const std::string& cf = "default");
  // At most `limit` pairs with keys >= `start`, in key order.
  Outcome Scan(const std::string& start, uint32_t limit,
               std::vector<std::pair<std::string, std::string>>* kvs,
               const std::string& cf = "default");

  // One store's status (no retry: a store that does not answer within `timeout` is down).
  kv::Result<tinykvpb::StatusResponse> Status(
      uint64_t store_id, bool digest = false,
      std::chrono::milliseconds timeout = std::chrono::milliseconds(2'000));

  const ClusterConfig& cluster() const { return cluster_; }
  uint64_t leader_guess() const { return leader_.load(); }

 private:
  // Runs `rpc(stub, ctx, resp)` until an answer without a region error or the deadline.
  // `write`: count ambiguous attempts. `refused`: a response error that retrying cannot fix.
  template <typename Resp, typename Rpc>
  Outcome retry(bool write, Resp* resp, Rpc rpc);
  tinykvpb::TinyKv::Stub* stub(uint64_t store_id);
  uint64_t nextStore(uint64_t after) const;

  ClusterConfig cluster_;
  ClientOptions options_;
  std::map<uint64_t, std::unique_ptr<tinykvpb::TinyKv::Stub>> stubs_;
  std::atomic<uint64_t> leader_;
};

}  // namespace server
