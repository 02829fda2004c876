#include "server/live_client.h"

#include <algorithm>
#include <thread>

#include "server/grpc_transport.h"

namespace server {

namespace {

using Clock = std::chrono::steady_clock;

// A store-side failure that retrying cannot fix: the request itself is wrong.
bool IsRefusal(const std::string& error) {
  return error.find("column family") != std::string::npos ||
         error.find("InvalidArgument") != std::string::npos;
}

}  // namespace

LiveClient::LiveClient(const ClusterConfig& cluster, ClientOptions options)
    : cluster_(cluster), options_(options), leader_(cluster.stores.begin()->first) {
  for (const auto& [id, addr] : cluster_.stores) {
    stubs_[id] = tinykvpb::TinyKv::NewStub(
        grpc::CreateCustomChannel(addr, grpc::InsecureChannelCredentials(), FastReconnectArgs()));
  }
}

tinykvpb::TinyKv::Stub* LiveClient::stub(uint64_t store_id) { return stubs_.at(store_id).get(); }

uint64_t LiveClient::nextStore(uint64_t after) const {
  auto it = cluster_.stores.upper_bound(after);
  return it == cluster_.stores.end() ? cluster_.stores.begin()->first : it->first;
}

template <typename Resp, typename Rpc>
Outcome LiveClient::retry(bool write, Resp* resp, Rpc rpc) {
  Outcome out;
  const auto deadline = Clock::now() + options_.op_timeout;
  uint64_t store = leader_.load();
  auto pause = std::chrono::milliseconds(10);
  for (;;) {
    const auto now = Clock::now();
    if (now >= deadline) {
      if (out.status.ok()) out.status = kv::Status::IOError("no attempt made");
      out.status =
          out.status.Annotate("gave up after " + std::to_string(out.attempts) + " attempts in " +
                              std::to_string(options_.op_timeout.count()) + " ms");
      return out;
    }
    grpc::ClientContext ctx;
    // gRPC takes deadlines on the system clock.
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::min<Clock::duration>(deadline - now, options_.rpc_timeout));
    resp->Clear();
    ++out.attempts;
    grpc::Status st = rpc(stub(store), &ctx, resp);
    bool moved = false;
    if (!st.ok()) {
      // The request may have reached the store before the connection broke or the deadline
      // passed: a write may take effect.
      if (write) ++out.ambiguous;
      out.status =
          kv::Status::IOError("store " + std::to_string(store) + ": " + st.error_message());
      store = nextStore(store);
      moved = true;
    } else if (resp->has_region_error()) {
      const errorpb::Error& e = resp->region_error();
      out.status = kv::Status::Internal("store " + std::to_string(store) +
                                        ": region error: " + e.ShortDebugString());
      // NotLeader, StaleCommand, EpochNotMatch and the like are answered before the command
      // could take effect: not ambiguous.
      const uint64_t hint = e.has_not_leader() ? e.not_leader().leader().store_id() : 0;
      if (hint != 0 && hint != store && cluster_.stores.count(hint)) {
        store = hint;
      } else {
        store = nextStore(store);
        moved = true;
      }
    } else if (!resp->error().empty()) {
      out.status = kv::Status::Internal("store " + std::to_string(store) + ": " + resp->error());
      if (IsRefusal(resp->error())) return out;
      // E.g. "no answer from the store within the timeout": the command may be in the log.
      if (write) ++out.ambiguous;
      store = nextStore(store);
      moved = true;
    } else {
      leader_.store(store);
      out.store = store;
      out.status = kv::Status::OK();
      return out;
    }
    if (moved) {
      // A pause before the next try, growing while nobody answers: an election takes a
      // second or two, and hammering the stores would not make it faster.
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::milliseconds(200));
    }
  }
}

Outcome LiveClient::Put(const std::string& key, const std::string& value, const std::string& cf) {
  kvrpcpb::RawPutRequest req;
  req.mutable_context()->set_region_id(kRegionId);
  req.set_key(key);
  req.set_value(value);
  req.set_cf(cf);
  kvrpcpb::RawPutResponse resp;
  return retry(true, &resp,
               [&](tinykvpb::TinyKv::Stub* s, grpc::ClientContext* ctx,
                   kvrpcpb::RawPutResponse* r) { return s->RawPut(ctx, req, r); });
}

Outcome LiveClient::Delete(const std::string& key, const std::string& cf) {
  kvrpcpb::RawDeleteRequest req;
  req.mutable_context()->set_region_id(kRegionId);
  req.set_key(key);
  req.set_cf(cf);
  kvrpcpb::RawDeleteResponse resp;
  return retry(true, &resp,
               [&](tinykvpb::TinyKv::Stub* s, grpc::ClientContext* ctx,
                   kvrpcpb::RawDeleteResponse* r) { return s->RawDelete(ctx, req, r); });
}

Outcome LiveClient::Get(const std::string& key, std::optional<std::string>* value,
                        const std::string& cf) {
  kvrpcpb::RawGetRequest req;
  req.mutable_context()->set_region_id(kRegionId);
  req.set_key(key);
  req.set_cf(cf);
  kvrpcpb::RawGetResponse resp;
  Outcome out = retry(false, &resp,
                      [&](tinykvpb::TinyKv::Stub* s, grpc::ClientContext* ctx,
                          kvrpcpb::RawGetResponse* r) { return s->RawGet(ctx, req, r); });
  if (out.ok()) {
    *value = resp.not_found() ? std::nullopt : std::optional<std::string>(resp.value());
  }
  return out;
}

Outcome LiveClient::Scan(const std::string& start, uint32_t limit,
                         std::vector<std::pair<std::string, std::string>>* kvs,
                         const std::string& cf) {
  kvrpcpb::RawScanRequest req;
  req.mutable_context()->set_region_id(kRegionId);
  req.set_start_key(start);
  req.set_limit(limit);
  req.set_cf(cf);
  kvrpcpb::RawScanResponse resp;
  Outcome out = retry(false, &resp,
                      [&](tinykvpb::TinyKv::Stub* s, grpc::ClientContext* ctx,
                          kvrpcpb::RawScanResponse* r) { return s->RawScan(ctx, req, r); });
  if (out.ok()) {
    kvs->clear();
    for (const auto& p : resp.kvs()) kvs->emplace_back(p.key(), p.value());
  }
  return out;
}

kv::Result<tinykvpb::StatusResponse> LiveClient::Status(uint64_t store_id, bool digest,
                                                        std::chrono::milliseconds timeout) {
  if (!stubs_.count(store_id)) {
    return kv::Status::InvalidArgument("no store " + std::to_string(store_id));
  }
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + timeout);
  tinykvpb::StatusRequest req;
  req.set_digest(digest);
  tinykvpb::StatusResponse resp;
  grpc::Status st = stub(store_id)->Status(&ctx, req, &resp);
  if (!st.ok()) {
    return kv::Status::IOError("store " + std::to_string(store_id) + " (" +
                               cluster_.stores.at(store_id) + "): " + st.error_message());
  }
  return resp;
}

}  // namespace server
