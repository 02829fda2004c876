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
#include <memory>
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

// Where a store's Raft log took a client command: the entry its peer appended, holding the
// command, while it handled it. Index 0: none (the peer refused it, or proposes later).
struct ProposedAt {
  uint64_t store_id = 0;
  uint64_t index = 0;
  uint64_t term = 0;
};

// Empty when `resp` (a successful answer to `cmd`) holds one response per request, in order,
// each of its request's own kind with its payload set (a Get answered by a GetResponse, a Put
// by a PutResponse, a Delete by a DeleteResponse, a Snap by a SnapResponse naming the region);
// otherwise what is wrong, for a student.
std::string CheckResponseKinds(const raft_cmdpb::RaftCmdRequest& cmd,
                               const raft_cmdpb::RaftCmdResponse& resp);

struct ClientRequest {
  std::vector<raft_cmdpb::Request> requests;
  // For a Snap request: the keys of [first, second) in column family `scan_cf` are read from
  // the command's snapshot by the store, as TinyKV's Scan does (second "" = no end).
  std::optional<std::pair<std::string, std::string>> scan;
  std::string scan_cf = "default";
  // Whether the command changes data; only then can an unanswered attempt still matter.
  bool writes = false;
  // "Put(\"k\")" — for failure messages.
  std::string what;
};

struct ClientReply {
  bool ok = false;
  // Why the call failed: the request's timeout passed, with the last error seen; or the
  // answer was malformed (see `malformed`).
  std::string error;
  // A successful answer whose responses do not match the requests one to one, each of its
  // request's kind (CheckResponseKinds): a bug of the store, not a retryable error.
  bool malformed = false;
  // Where the answered attempt's command entered the Raft log of the store that answered
  // (index 0: not seen; Cluster::SendCommand).
  ProposedAt proposed;
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
  void finish(bool ok, std::string error = "");

  Cluster* cluster_;
  int id_;
  bool busy_ = false;
  ClientRequest req_;
  std::function<void(ClientReply)> done_;
  runtime::Micros deadline_ = 0;
  runtime::Micros attempt_start_ = 0;
  uint64_t attempt_id_ = 0;
  runtime::TimerId attempt_timer_ = 0;
  raft_cmdpb::RaftCmdRequest attempt_cmd_;
  std::shared_ptr<const ProposedAt> attempt_proposed_;
  std::string last_error_;
  ClientReply reply_;
  // The peer believed to lead the region; kept across calls.
  metapb::Peer leader_;
  size_t next_index_ = 0;
  // Timelines: the recorded operation of the call in progress (0: none or not recording).
  uint64_t tl_op_ = 0;
};

}  // namespace raftstore::testing
