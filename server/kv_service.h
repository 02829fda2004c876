#pragma once

// KvService: the TinyKv gRPC service of one live store.
//   Raw API   lab 1's kv::Server (raw_api.cc) on a RaftStorage, so every request becomes a
//             command of the region's Raft group; a region error (NotLeader with the leader,
//             StaleCommand, ...) goes back in the response's region_error for the client to
//             follow, and the storage's other failures in `error`.
//   Raft, Snapshot  the streams other stores' GrpcTransports write: each message goes to the
//             store's router; one that is not for this store or names a region it has no
//             peer of is refused (counted and logged), and the stream goes on.
//   Status    what `tinykv-ctl status` prints, read on the raft worker so that the figures
//             belong to one moment.
// Until the store has started (and after it began stopping) every call answers UNAVAILABLE.

#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "kv/engine_util/engines.h"
#include "kv/server/server.h"
#include "proto/tinykvpb.grpc.pb.h"
#include "raftstore/raft_storage.h"
#include "raftstore/raftstore.h"
#include "raftstore/runtime/runtime.h"

namespace server {

class KvService final : public tinykvpb::TinyKv::Service {
 public:
  KvService(uint64_t store_id, std::shared_ptr<spdlog::logger> log);

  // Starts serving `store` (running on `rt`, with `engines`); none is owned.
  void Attach(raftstore::RaftStore* store, runtime::Runtime* rt, kv::Engines* engines);
  // Stops serving: later calls answer UNAVAILABLE. Calls already inside finish.
  void Detach();

  grpc::Status RawGet(grpc::ServerContext*, const kvrpcpb::RawGetRequest* req,
                      kvrpcpb::RawGetResponse* resp) override;
  grpc::Status RawPut(grpc::ServerContext*, const kvrpcpb::RawPutRequest* req,
                      kvrpcpb::RawPutResponse* resp) override;
  grpc::Status RawDelete(grpc::ServerContext*, const kvrpcpb::RawDeleteRequest* req,
                         kvrpcpb::RawDeleteResponse* resp) override;
  grpc::Status RawScan(grpc::ServerContext*, const kvrpcpb::RawScanRequest* req,
                       kvrpcpb::RawScanResponse* resp) override;
  grpc::Status Raft(grpc::ServerContext* ctx, grpc::ServerReader<raft_serverpb::RaftMessage>* in,
                    tinykvpb::Done* done) override;
  grpc::Status Snapshot(grpc::ServerContext* ctx,
                        grpc::ServerReader<raft_serverpb::RaftMessage>* in,
                        tinykvpb::Done* done) override;
  grpc::Status Status(grpc::ServerContext*, const tinykvpb::StatusRequest* req,
                      tinykvpb::StatusResponse* resp) override;

 private:
  // Routes one stream's messages; `kind` names the stream in logs.
  grpc::Status serveStream(grpc::ServerContext* ctx,
                           grpc::ServerReader<raft_serverpb::RaftMessage>* in, const char* kind);
  // Checks the request's context and fills in what a client may leave out (this store's
  // peer, the region's epoch). False, with the region error to answer in `err`, when the
  // request names a region this store does not serve.
  bool prepareContext(kvrpcpb::Context* ctx, errorpb::Error* err);
  // The four raw calls: checks the store is serving, the context and the column family, then
  // answers with `call` (one of kv::Server's raw methods) on the prepared request.
  template <typename Req, typename Resp>
  grpc::Status serveRaw(const Req* req, Resp* resp, Resp (kv::Server::*call)(const Req&));
  // Fills `status` on the raft worker.
  void readStatus(const tinykvpb::StatusRequest& req, tinykvpb::StatusResponse* status);

  const uint64_t store_id_;
  std::shared_ptr<spdlog::logger> log_;
  const std::chrono::steady_clock::time_point started_;
  std::atomic<bool> serving_{false};
  raftstore::RaftStore* store_ = nullptr;
  runtime::Runtime* rt_ = nullptr;
  kv::Engines* engines_ = nullptr;
  std::unique_ptr<raftstore::RaftStorage> storage_;
  std::unique_ptr<kv::Server> kv_server_;
  std::atomic<uint64_t> received_{0};
  std::atomic<uint64_t> refused_{0};
  std::atomic<uint64_t> snapshots_received_{0};
  std::atomic<uint64_t> chunks_refused_{0};
};

}  // namespace server
