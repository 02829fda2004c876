#include "server/kv_service.h"

#include <filesystem>
#include <limits>
#include <system_error>

#include "kv/engine_util/cf.h"
#include "raftstore/snap/checksum.h"
#include "raftstore/util/region_error.h"
#include "server/cluster_config.h"

namespace server {

namespace {

grpc::Status NotServing() {
  return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                      "the store is not serving (starting or "
                      "stopping)");
}

uint64_t DirBytes(const std::string& dir) {
  std::error_code ec;
  uint64_t total = 0;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) {
      const auto n = it->file_size(size_ec);
      if (!size_ec) total += n;
    }
  }
  return total;
}

const char* RoleName(raft::StateType s) {
  switch (s) {
    case raft::StateType::kLeader:
      return "leader";
    case raft::StateType::kCandidate:
      return "candidate";
    case raft::StateType::kFollower:
      return "follower";
  }
  return "?";
}

// Moves the region error of this thread's last RaftStorage call into the response, where a
// client looks for it (kv::Server put it in `error` as text).
template <typename Resp>
void CarryRegionError(Resp* resp) {
  raftstore::RegionError err = raftstore::RaftStorage::RegionErrorOf();
  if (!err) return;
  *resp->mutable_region_error() = err.pb();
  resp->clear_error();
}

// Refused here, before anything is proposed: a command naming an unknown column family would
// reach the Raft log and fail on every store when applied.
std::string CheckCf(const std::string& cf) {
  if (kv::IsDataCf(cf)) return "";
  return "InvalidArgument: unknown column family '" + cf + "' (the user's are default, lock, " +
         "write)";
}

}  // namespace

KvService::KvService(uint64_t store_id, std::shared_ptr<spdlog::logger> log)
    : store_id_(store_id), log_(std::move(log)), started_(std::chrono::steady_clock::now()) {}

void KvService::Attach(raftstore::RaftStore* store, runtime::Runtime* rt, kv::Engines* engines) {
  store_ = store;
  rt_ = rt;
  engines_ = engines;
  // A null WaitFn: each request's thread sleeps on its own condition variable until the
  // command is answered (or 3 s pass: "no answer", and the client retries).
  storage_ = std::make_unique<raftstore::RaftStorage>([store] { return &store->router(); }, nullptr,
                                                      3'000'000);
  (void)storage_->Start();
  kv_server_ = std::make_unique<kv::Server>(storage_.get());
  serving_.store(true);
}

void KvService::Detach() { serving_.store(false); }

bool KvService::prepareContext(kvrpcpb::Context* ctx, errorpb::Error* err) {
  if (ctx->region_id() == 0) ctx->set_region_id(kRegionId);
  if (ctx->region_id() != kRegionId) {
    err->set_message("region " + std::to_string(ctx->region_id()) + " not found on store " +
                     std::to_string(store_id_));
    err->mutable_region_not_found()->set_region_id(ctx->region_id());
    return false;
  }
  // A client talks to a store, not to a peer: it may leave out the peer and the epoch (the
  // membership is static), and this store fills in its own.
  if (!ctx->has_peer()) {
    ctx->mutable_peer()->set_id(PeerIdOf(store_id_));
    ctx->mutable_peer()->set_store_id(store_id_);
  }
  if (!ctx->has_region_epoch()) {
    ctx->mutable_region_epoch()->set_conf_ver(1);
    ctx->mutable_region_epoch()->set_version(1);
  }
  return true;
}

template <typename Req, typename Resp>
grpc::Status KvService::serveRaw(const Req* req, Resp* resp, Resp (kv::Server::*call)(const Req&)) {
  if (!serving_.load()) return NotServing();
  Req r = *req;
  if (errorpb::Error err; !prepareContext(r.mutable_context(), &err)) {
    *resp->mutable_region_error() = err;
    return grpc::Status::OK;
  }
  if (std::string bad = CheckCf(r.cf()); !bad.empty()) {
    resp->set_error(bad);
    return grpc::Status::OK;
  }
  *resp = (kv_server_.get()->*call)(r);
  CarryRegionError(resp);
  return grpc::Status::OK;
}

grpc::Status KvService::RawGet(grpc::ServerContext*, const kvrpcpb::RawGetRequest* req,
                               kvrpcpb::RawGetResponse* resp) {
  return serveRaw(req, resp, &kv::Server::RawGet);
}

grpc::Status KvService::RawPut(grpc::ServerContext*, const kvrpcpb::RawPutRequest* req,
                               kvrpcpb::RawPutResponse* resp) {
  return serveRaw(req, resp, &kv::Server::RawPut);
}

grpc::Status KvService::RawDelete(grpc::ServerContext*, const kvrpcpb::RawDeleteRequest* req,
                                  kvrpcpb::RawDeleteResponse* resp) {
  return serveRaw(req, resp, &kv::Server::RawDelete);
}

grpc::Status KvService::RawScan(grpc::ServerContext*, const kvrpcpb::RawScanRequest* req,
                                kvrpcpb::RawScanResponse* resp) {
  return serveRaw(req, resp, &kv::Server::RawScan);
}

grpc::Status KvService::Raft(grpc::ServerContext* ctx,
                             grpc::ServerReader<raft_serverpb::RaftMessage>* in, tinykvpb::Done*) {
  return serveStream(ctx, in, "raft");
}

grpc::Status KvService::Snapshot(grpc::ServerContext* ctx,
                                 grpc::ServerReader<raft_serverpb::RaftMessage>* in,
                                 tinykvpb::Done*) {
  return serveStream(ctx, in, "snapshot");
}

grpc::Status KvService::serveStream(grpc::ServerContext* ctx,
                                    grpc::ServerReader<raft_serverpb::RaftMessage>* in,
                                    const char* kind) {
  raft_serverpb::RaftMessage msg;
  uint64_t refused_here = 0;
  // Read returns false once the sender closes the stream or disconnects: that ends this
  // stream only; the sender opens a new one when it has something to send.
  while (in->Read(&msg)) {
    if (!serving_.load()) return NotServing();
    received_.fetch_add(1);
    std::string why;
    if (msg.to_peer().store_id() != store_id_) {
      why = "it is for store " + std::to_string(msg.to_peer().store_id());
    } else if (!msg.has_message() || msg.from_peer().id() == 0) {
      why = "it is malformed (no Raft message or no sender)";
    } else if (msg.has_snap_chunk() &&
               raftstore::snap::Crc32c(msg.snap_chunk().data()) != msg.snap_chunk().checksum()) {
      // Checked here too (the peer checks again), so that a damaged chunk is reported
      // loudly: the transfer fails, and the leader sends the snapshot again.
      chunks_refused_.fetch_add(1);
      why = "snapshot chunk " + msg.snap_chunk().cf() + "@" +
            std::to_string(msg.snap_chunk().offset()) + " of snapshot " +
            std::to_string(msg.snap_chunk().term()) + "_" +
            std::to_string(msg.snap_chunk().index()) + " is damaged (CRC-32C mismatch)";
    } else {
      if (!msg.has_snap_chunk() && msg.message().msg_type() == eraftpb::MessageType::MsgSnapshot) {
        snapshots_received_.fetch_add(1);
      }
      raftstore::RegionError err = store_->router().SendRaftMessage(msg);
      if (err) why = err.ToString();
    }
    if (!why.empty()) {
      refused_.fetch_add(1);
      // The first few of a stream in full, then a count: a misdirected sender would flood.
      if (++refused_here <= 3) {
        log_->warn("refused a {} message from {} ({}): {}", kind, ctx->peer(),
                   eraftpb::MessageType_Name(msg.message().msg_type()), why);
      }
    }
  }
  if (refused_here > 3) {
    log_->warn("refused {} messages in all on a {} stream from {}", refused_here, kind,
               ctx->peer());
  }
  return grpc::Status::OK;
}

grpc::Status KvService::Status(grpc::ServerContext*, const tinykvpb::StatusRequest* req,
                               tinykvpb::StatusResponse* resp) {
  if (!serving_.load()) return NotServing();
  readStatus(*req, resp);
  return grpc::Status::OK;
}

void KvService::readStatus(const tinykvpb::StatusRequest& req, tinykvpb::StatusResponse* s) {
  s->set_store_id(store_id_);
  s->set_uptime_ms(static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                             std::chrono::steady_clock::now() - started_)
                                             .count()));
  s->set_messages_received(received_.load());
  s->set_messages_refused(refused_.load());
  s->set_chunks_refused(chunks_refused_.load());
  s->set_snapshots_received(snapshots_received_.load());
  if (store_->snap_transport()) s->set_snapshots_sent(store_->snap_transport()->snapshots_sent());
  if (store_->region_worker()) {
    s->set_snapshots_applied(store_->region_worker()->snapshots_applied());
  }
  s->set_raft_engine_bytes(DirBytes(engines_->raft_path));
  s->set_kv_engine_bytes(DirBytes(engines_->kv_path));
  s->set_role("none");
  // Peers live on the raft worker: read them there, all at one moment.
  rt_->RunAndWait(store_->ctx().RaftQueue(), "status", [&] {
    raftstore::Peer* p = store_->router().Get(kRegionId);
    if (p == nullptr) return;
    *s->mutable_region() = p->Region();
    *s->mutable_peer() = p->meta;
    if (p->raft_group && p->raft_group->raft) {
      s->set_role(RoleName(p->raft_group->raft->state));
    }
    s->set_term(p->Term());
    s->set_leader_id(p->LeaderId());
    if (auto leader = p->GetPeerFromCache(p->LeaderId())) {
      s->set_leader_store_id(leader->store_id());
    }
    s->set_commit_index(p->peer_storage->raft_state.hard_state().commit());
    s->set_applied_index(p->peer_storage->AppliedIndex());
    s->set_truncated_index(p->peer_storage->TruncatedIndex());
    if (auto first = p->peer_storage->FirstIndex(); first.ok()) s->set_first_index(first.value());
    if (auto last = p->peer_storage->LastIndex(); last.ok()) s->set_last_index(last.value());
    if (req.digest()) {
      // FNV-1a over every (key, value) of the default column family, with their lengths so
      // that ("ab","c") and ("a","bc") differ. Read here so it matches applied_index.
      auto it = engines_->kv->NewIterator(kv::kCfDefault);
      if (!it.ok()) return;
      uint64_t h = 1469598103934665603ULL, n = 0;
      auto mix = [&h](std::string_view bytes) {
        const uint64_t len = bytes.size();
        for (int i = 0; i < 8; ++i) h = (h ^ ((len >> (8 * i)) & 0xff)) * 1099511628211ULL;
        for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ULL;
      };
      for ((*it)->SeekToFirst(); (*it)->Valid(); (*it)->Next()) {
        mix((*it)->key());
        mix((*it)->value());
        ++n;
      }
      s->set_data_keys(n);
      s->set_data_digest(h);
    }
  });
}

}  // namespace server
