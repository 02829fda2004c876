#pragma once

// A client of the simulated cluster, as TinyKV's test cluster makes requests: send the
// command to the peer believed to be the leader; on NotLeader follow the hint (or try the
// next peer); on StaleCommand, EpochNotMatch or a store that is down try the next peer; when
// an attempt gets no answer within a second, try the next peer too — until the command
// succeeds or the request's own timeout passes.
//
// A client runs on its own queue of the runtime (store 0, "client <id>") and is asynchronous:
// Call() returns at once and `done` runs on the client's queue later. A client makes one call
// at a time.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "proto/metapb.pb.h"
#include "proto/raft_cmdpb.pb.h"
#include "raftstore/runtime/runtime.h"
#include "raftstore/util/region_error.h"

namespace raftstore::testing {

class Cluster;

struct ClientRequest {
  std::vector<raft_cmdpb::Request> requests;
  // For a Snap request: the keys of [first, second) in the default column family are read
  // from the command's snapshot by the store, as TinyKV's Scan does (second "" = no end).
  std::optional<std::pair<std::string, std::string>> scan;
  // Whether the command changes data; only then can an unanswered attempt still matter.
  bool writes = false;
  // "Put(\"k\")" — for failure messages.
  std::string what;
};

struct ClientReply {
  bool ok = false;
  // Why the call failed: the request's timeout passed; with the last error seen.
  std::string error;
  raft_cmdpb::RaftCmdResponse resp;
  // Snap with scan: the (key, value) pairs read.
  std::vector<std::pair<std::string, std::string>> scanned;
  // Attempts of a write that got no answer, or StaleCommand: each may have taken effect or
  // still take effect later (or never). Their start times, for the history.
  std::vector<runtime::Micros> unanswered_writes;
  int attempts = 0;
};

class Client {
 public:
  Client(Cluster* cluster, int id);

  int id() const { return id_; }
  runtime::QueueId queue() const { return {0, "client " + std::to_string(id_)}; }
  bool busy() const { return busy_; }

  // Runs `req` on the region's leader (see above). `done` runs on the client's queue.
  void Call(ClientRequest req, runtime::Micros timeout, std::function<void(ClientReply)> done);

  // The time an attempt waits for an answer before trying elsewhere (TinyKV: 1 s).
  static constexpr runtime::Micros kAttemptTimeout = 1'000'000;
  // The pause before retrying after an error answer.
  static constexpr runtime::Micros kRetryBackoff = 20'000;

 private:
  void attempt();
  void onAnswer(uint64_t attempt_id, const raft_cmdpb::RaftCmdResponse& resp,
                std::vector<std::pair<std::string, std::string>> scanned);
  void onAttemptTimeout(uint64_t attempt_id);
  void nextPeer();
  void finish(bool ok);

  Cluster* cluster_;
  int id_;
  bool busy_ = false;
  ClientRequest req_;
  std::function<void(ClientReply)> done_;
  runtime::Micros deadline_ = 0;
  runtime::Micros attempt_start_ = 0;
  uint64_t attempt_id_ = 0;
  runtime::TimerId attempt_timer_ = 0;
  std::string last_error_;
  ClientReply reply_;
  // The peer believed to lead the region; kept across calls.
  metapb::Peer leader_;
  size_t next_index_ = 0;
  // Timelines: the recorded operation of the call in progress (0: none or not recording).
  uint64_t tl_op_ = 0;
};

}  // namespace raftstore::testing
