#pragma once

// StoreServer: one live store, everything tinykv-server runs — the gRPC server (KvService),
// the two RocksDB engines in the data directory, the raftstore on a RealRuntime, and the
// GrpcTransport to the other stores.
//
// Start, in an order that keeps every failure clean:
//   1. listen on the store's address (a port in use fails here, before any file is touched);
//   2. bootstrap the data directory if it holds no store yet: the engines are built in
//      DIR/.bootstrap and renamed into place, raft engine first and kv engine last, so a crash
//      at any point leaves either no store (bootstrap again) or a complete one;
//   3. open the engines, check that they belong to this store and this cluster;
//   4. start the raftstore, which recovers from what the engines hold.
// Stop (SIGTERM) stops serving, stops the store on its raft worker, joins every thread and
// closes the engines. A SIGKILL skips all of that; the engines' write-ahead logs make the
// store's state on disk what raftstore last wrote, which is what a restart recovers from.

#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

#include <cstdint>
#include <memory>
#include <string>

#include "kv/engine_util/engines.h"
#include "kv/engine_util/status.h"
#include "raftstore/config.h"
#include "raftstore/raftstore.h"
#include "raftstore/runtime/real_runtime.h"
#include "server/cluster_config.h"
#include "server/grpc_transport.h"
#include "server/kv_service.h"

namespace server {

struct ServerOptions {
  uint64_t store_id = 0;
  ClusterConfig cluster;
  std::string data_dir;
  // fsync the write-ahead log on every write (survives power loss, not only kill -9).
  bool sync_wal = false;
  raftstore::Config cfg;
};

// The server's flags (tinykv-server --help prints them).
kv::Result<ServerOptions> ParseServerOptions(int argc, char** argv);
extern const char kServerUsage[];

class StoreServer {
 public:
  explicit StoreServer(ServerOptions options);
  ~StoreServer();

  kv::Status Start();
  void Stop();

  const std::string& address() const { return address_; }
  spdlog::logger& log() { return *log_; }

 private:
  kv::Status listen();
  kv::Status bootstrapIfNew();
  kv::Status openEngines();

  ServerOptions o_;
  std::string address_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<KvService> service_;
  std::unique_ptr<grpc::Server> grpc_;
  kv::Engines engines_;
  std::unique_ptr<runtime::RealRuntime> rt_;
  std::unique_ptr<GrpcTransport> transport_;
  std::unique_ptr<raftstore::RaftStore> store_;
};

}  // namespace server
