#include "raftstore/testing/client.h"

#include "raftstore/testing/cluster.h"
#include "raftstore/util/cmd_resp.h"

namespace raftstore::testing {

namespace {

bool HasPayload(const raft_cmdpb::Response& r) {
  switch (r.cmd_type()) {
    case raft_cmdpb::Get:
      return r.has_get();
    case raft_cmdpb::Put:
      return r.has_put();
    case raft_cmdpb::Delete:
      return r.has_delete_();
    case raft_cmdpb::Snap:
      return r.has_snap();
    default:
      return false;
  }
}

std::string Kinds(const auto& list) {
  std::string out = "[";
  for (const auto& r : list) {
    if (out.size() > 1) out += ", ";
    out += raft_cmdpb::CmdType_Name(r.cmd_type());
  }
  return out + "]";
}

}  // namespace

std::string CheckResponseKinds(const raft_cmdpb::RaftCmdRequest& cmd,
                               const raft_cmdpb::RaftCmdResponse& resp) {
  std::string why;
  if (resp.responses_size() != cmd.requests_size()) {
    why = std::to_string(resp.responses_size()) + " response(s) for " +
          std::to_string(cmd.requests_size()) + " request(s)";
  } else {
    for (int i = 0; i < cmd.requests_size() && why.empty(); ++i) {
      const raft_cmdpb::Response& r = resp.responses(i);
      const std::string n = std::to_string(i + 1);
      if (r.cmd_type() != cmd.requests(i).cmd_type()) {
        why = "response " + n + " is a " + raft_cmdpb::CmdType_Name(r.cmd_type()) +
              " response to a " + raft_cmdpb::CmdType_Name(cmd.requests(i).cmd_type()) + " request";
      } else if (!HasPayload(r)) {
        why = "response " + n + " says " + raft_cmdpb::CmdType_Name(r.cmd_type()) + " but its " +
              raft_cmdpb::CmdType_Name(r.cmd_type()) + " field is not set";
      } else if (r.cmd_type() == raft_cmdpb::Snap &&
                 r.snap().region().id() != cmd.header().region_id()) {
        why = "response " + n + " (Snap) names region " + std::to_string(r.snap().region().id()) +
              ", not the region read (" + std::to_string(cmd.header().region_id()) + ")";
      }
    }
  }
  if (why.empty()) return "";
  return "answered without an error, but " + why + " (requests " + Kinds(cmd.requests()) +
         ", responses " + Kinds(resp.responses()) +
         "). A successful answer holds one response per request, in the requests' order, each "
         "of its request's own kind with that kind's field set: a Get gets a GetResponse (the "
         "value read), a Put a PutResponse, a Delete a DeleteResponse, a Snap a SnapResponse "
         "naming the region (docs/lab2b.md)";
}

Client::Client(Cluster* cluster, int id) : cluster_(cluster), id_(id) {}

void Client::Call(ClientRequest req, runtime::Micros timeout,
                  std::function<void(ClientReply)> done) {
  busy_ = true;
  req_ = std::move(req);
  done_ = std::move(done);
  deadline_ = cluster_->rt().Now() + timeout;
  reply_ = ClientReply{};
  last_error_ = "no answer yet";
  if (leader_.id() == 0) nextPeer();
  if (timeline::Recorder* rec = cluster_->timeline()) {
    std::string kind = "?", key, value;
    if (!req_.requests.empty()) {
      const raft_cmdpb::Request& r = req_.requests.front();
      switch (r.cmd_type()) {
        case raft_cmdpb::Put:
          kind = "Put", key = r.put().key(), value = r.put().value();
          break;
        case raft_cmdpb::Get:
          kind = "Get", key = r.get().key();
          break;
        case raft_cmdpb::Delete:
          kind = "Delete", key = r.delete_().key();
          break;
        case raft_cmdpb::Snap:
          kind = "Scan", key = req_.scan ? req_.scan->first : "";
          break;
        default:
          break;
      }
    }
    tl_op_ = rec->Invoke(cluster_->rt().Now(), id_, kind, key, value);
  }
  cluster_->rt().Post(queue(), "call " + req_.what, [this] { attempt(); });
}

void Client::nextPeer() {
  const metapb::Region& region = cluster_->region();
  leader_ = region.peers(static_cast<int>(next_index_ % region.peers_size()));
  ++next_index_;
}

void Client::attempt() {
  runtime::SimRuntime& rt = cluster_->rt();
  if (rt.Now() >= deadline_) {
    finish(false);
    return;
  }
  const uint64_t id = ++attempt_id_;
  attempt_start_ = rt.Now();
  ++reply_.attempts;
  raft_cmdpb::RaftCmdRequest cmd;
  const metapb::Region& region = cluster_->region();
  cmd.mutable_header()->set_region_id(region.id());
  *cmd.mutable_header()->mutable_region_epoch() = region.region_epoch();
  *cmd.mutable_header()->mutable_peer() = leader_;
  for (const raft_cmdpb::Request& r : req_.requests) *cmd.add_requests() = r;

  attempt_timer_ = rt.StartTimer(queue(), kAttemptTimeout, "attempt timeout " + req_.what,
                                 [this, id] { onAttemptTimeout(id); });
  attempt_cmd_ = cmd;
  attempt_proposed_ = cluster_->SendCommand(
      leader_.store_id(), cmd, req_.scan, queue(),
      [this, id](const raft_cmdpb::RaftCmdResponse& resp,
                 std::vector<std::pair<std::string, std::string>> scanned) {
        onAnswer(id, resp, std::move(scanned));
      },
      req_.scan_cf);
}

void Client::onAnswer(uint64_t attempt_id, const raft_cmdpb::RaftCmdResponse& resp,
                      std::vector<std::pair<std::string, std::string>> scanned) {
  if (!busy_ || attempt_id != attempt_id_) return;  // an attempt already given up on
  cluster_->rt().CancelTimer(attempt_timer_);
  RegionError err = RespError(resp);
  if (!err) {
    reply_.resp = resp;
    reply_.scanned = std::move(scanned);
    if (attempt_proposed_) reply_.proposed = *attempt_proposed_;
    if (std::string why = CheckResponseKinds(attempt_cmd_, resp); !why.empty()) {
      reply_.malformed = true;
      finish(false, req_.what + " " + why + "; from store " + std::to_string(leader_.store_id()));
      return;
    }
    finish(true);
    return;
  }
  // NotLeader, EpochNotMatch, KeyNotInRegion and a failed proposal are answered before the
  // command enters the log: it never applies. StaleCommand is not that certain: a proposal a
  // snapshot jumped over is answered stale although the entry the snapshot covers may be this
  // very command. So a stale write counts as one that may still have taken effect (the
  // history allows it to, or not), like a write that got no answer.
  last_error_ = err.ToString() + " from store " + std::to_string(leader_.store_id());
  if (req_.writes && err.kind() == RegionErrorKind::kStaleCommand) {
    reply_.unanswered_writes.push_back(attempt_start_);
  }
  if (err.kind() == RegionErrorKind::kNotLeader &&
      resp.header().error().not_leader().has_leader()) {
    leader_ = resp.header().error().not_leader().leader();
  } else {
    nextPeer();
  }
  cluster_->rt().StartTimer(queue(), kRetryBackoff, "retry " + req_.what, [this] { attempt(); });
}

void Client::onAttemptTimeout(uint64_t attempt_id) {
  if (!busy_ || attempt_id != attempt_id_) return;
  last_error_ = "no answer from store " + std::to_string(leader_.store_id()) + " within " +
                std::to_string(kAttemptTimeout / 1000) + " ms";
  if (req_.writes) reply_.unanswered_writes.push_back(attempt_start_);
  ++attempt_id_;  // a late answer to it is ignored
  nextPeer();
  attempt();
}

void Client::finish(bool ok, std::string error) {
  reply_.ok = ok;
  if (!error.empty()) {
    reply_.error = std::move(error);
  } else if (!ok) {
    reply_.error = req_.what + " timed out after " + std::to_string(reply_.attempts) +
                   " attempts; last: " + last_error_;
  }
  busy_ = false;
  ++attempt_id_;
  if (timeline::Recorder* rec = cluster_->timeline(); rec != nullptr && tl_op_ != 0) {
    std::string value;
    if (ok) {
      for (const raft_cmdpb::Response& r : reply_.resp.responses()) {
        if (r.cmd_type() == raft_cmdpb::Get) value = r.get().value();
      }
    }
    std::string result = ok ? "ok" : "timeout (" + last_error_ + ")";
    if (ok && value.empty() && req_.requests.size() == 1 &&
        req_.requests.front().cmd_type() == raft_cmdpb::Get) {
      result = "not found";
    }
    if (ok && req_.scan) result = "ok (" + std::to_string(reply_.scanned.size()) + " keys)";
    rec->Respond(cluster_->rt().Now(), tl_op_, result, value);
    tl_op_ = 0;
  }
  auto done = std::move(done_);
  done_ = nullptr;
  if (done) done(std::move(reply_));
}

}  // namespace raftstore::testing
