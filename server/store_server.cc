#include "server/store_server.h"

#include <fcntl.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <system_error>

#include "raftstore/bootstrap.h"
#include "raftstore/meta/values.h"
#include "server/flags.h"

namespace server {

namespace fs = std::filesystem;

const char kServerUsage[] =
    "usage: tinykv-server --store-id N --cluster LIST|@FILE --data-dir DIR [options]\n"
    "  --cluster 1=127.0.0.1:20161,2=127.0.0.1:20162,...  every store (id=host:port), or\n"
    "            @FILE with one 'id host:port' line per store; this store listens on its own\n"
    "  --data-dir DIR              the store's engines (DIR/kv, DIR/raft, DIR/snap); created\n"
    "                              and bootstrapped on the first start, recovered afterwards\n"
    "  --sync-wal                  fsync the write-ahead log on every write\n"
    "  --raft-base-tick-ms N       Raft's tick (default 100; elections after 10-20 ticks)\n"
    "  --raft-log-gc-tick-ms N     how often a leader considers compacting its log (1000)\n"
    "  --raft-log-gc-count-limit N compact once N applied entries pile up (default 1000)\n"
    "  --snap-chunk-size N         snapshot chunk size in bytes (default 1048576)\n"
    "Logs go to stderr (LOG_LEVEL=debug|info|warn|error, default info). SIGTERM or SIGINT\n"
    "stops the store cleanly.\n";

kv::Result<ServerOptions> ParseServerOptions(int argc, char** argv) {
  Flags f({"store-id", "cluster", "data-dir", "raft-base-tick-ms", "raft-log-gc-tick-ms",
           "raft-log-gc-count-limit", "snap-chunk-size"},
          {"sync-wal"});
  KV_RETURN_IF_ERROR(f.Parse(argc, argv));
  if (!f.positional().empty()) {
    return kv::Status::InvalidArgument("unexpected argument '" + f.positional()[0] + "'");
  }
  ServerOptions o;
  auto id = f.GetUint("store-id", 0);
  if (!id.ok()) return id.status();
  o.store_id = id.value();
  if (o.store_id == 0) return kv::Status::InvalidArgument("--store-id is required (1, 2, ...)");
  if (!f.Has("cluster")) return kv::Status::InvalidArgument("--cluster is required");
  auto cluster = ClusterConfig::Parse(f.Get("cluster"));
  if (!cluster.ok()) return cluster.status();
  o.cluster = cluster.value();
  if (!o.cluster.stores.count(o.store_id)) {
    return kv::Status::InvalidArgument("store " + std::to_string(o.store_id) +
                                       " is not in the cluster " + o.cluster.ToString());
  }
  o.data_dir = f.Get("data-dir");
  if (o.data_dir.empty()) return kv::Status::InvalidArgument("--data-dir is required");
  o.sync_wal = f.Has("sync-wal");
  o.cfg = raftstore::Config::Default();
  auto tick = f.GetUint("raft-base-tick-ms", 100);
  auto gc_tick = f.GetUint("raft-log-gc-tick-ms", 1000);
  auto gc_limit = f.GetUint("raft-log-gc-count-limit", 1000);
  auto chunk = f.GetUint("snap-chunk-size", 1 << 20);
  for (auto* r : {&tick, &gc_tick, &gc_limit, &chunk}) {
    if (!r->ok()) return r->status();
  }
  o.cfg.raft_base_tick_interval = tick.value() * 1000;
  o.cfg.raft_log_gc_tick_interval = gc_tick.value() * 1000;
  o.cfg.raft_log_gc_count_limit = gc_limit.value();
  o.cfg.snap_chunk_size = chunk.value();
  if (std::string bad = o.cfg.Validate(); !bad.empty()) {
    return kv::Status::InvalidArgument("bad raftstore settings: " + bad);
  }
  return o;
}

StoreServer::StoreServer(ServerOptions options) : o_(std::move(options)) {
  address_ = o_.cluster.stores.at(o_.store_id);
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  log_ = std::make_shared<spdlog::logger>("store " + std::to_string(o_.store_id), sink);
  log_->set_pattern("%Y-%m-%d %H:%M:%S.%e %l [%n] %v");
  const char* level = std::getenv("LOG_LEVEL");
  log_->set_level(level && *level ? spdlog::level::from_str(level) : spdlog::level::info);
}

StoreServer::~StoreServer() { Stop(); }

kv::Status StoreServer::listen() {
  service_ = std::make_unique<KvService>(o_.store_id, log_);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(address_, grpc::InsecureServerCredentials(), &port);
  // gRPC would otherwise share the port with a process already on it (SO_REUSEPORT), and the
  // two stores would split the traffic: a port in use must be an error.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(-1);
  builder.RegisterService(service_.get());
  grpc_ = builder.BuildAndStart();
  if (!grpc_ || port == 0) {
    grpc_.reset();
    return kv::Status::IOError("cannot listen on " + address_ +
                               ": the port is in use or the address is not this machine's");
  }
  return kv::Status::OK();
}

kv::Status StoreServer::bootstrapIfNew() {
  const fs::path dir(o_.data_dir);
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) {
    return kv::Status::InvalidArgument("--data-dir " + o_.data_dir + " is not a directory");
  }
  if (fs::exists(dir / "kv", ec)) return kv::Status::OK();  // bootstrapped before
  // Nothing but the leftovers of an unfinished bootstrap may be here: anything else means the
  // directory is someone else's, and a store must not take it over.
  const std::set<std::string> ours = {".bootstrap", "raft", "snap"};
  fs::create_directories(dir, ec);
  if (ec) return kv::Status::IOError("cannot create " + o_.data_dir + ": " + ec.message());
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (!ours.count(e.path().filename().string())) {
      return kv::Status::InvalidArgument(o_.data_dir + " is not empty and holds no store (found " +
                                         e.path().filename().string() +
                                         "): refusing to bootstrap a store there");
    }
  }
  if (ec) return kv::Status::IOError("cannot list " + o_.data_dir + ": " + ec.message());
  fs::remove_all(dir / ".bootstrap", ec);
  fs::remove_all(dir / "raft", ec);
  fs::remove_all(dir / "snap", ec);

  auto opened = kv::Engines::Open((dir / ".bootstrap").string());
  if (!opened.ok()) return opened.status().Annotate("bootstrap: open the engines");
  kv::Engines e = std::move(opened).value();
  const metapb::Region region = o_.cluster.InitialRegion();
  KV_RETURN_IF_ERROR(raftstore::BootstrapStore(e, kClusterId, o_.store_id));
  KV_RETURN_IF_ERROR(raftstore::PrepareBootstrapCluster(e, region));
  KV_RETURN_IF_ERROR(raftstore::ClearPrepareBootstrapState(e));
  KV_RETURN_IF_ERROR(e.Close());
  // The raft engine first, the kv engine last: "DIR/kv exists" means "bootstrapped".
  fs::rename(dir / ".bootstrap" / "raft", dir / "raft", ec);
  if (!ec) fs::rename(dir / ".bootstrap" / "kv", dir / "kv", ec);
  if (ec) return kv::Status::IOError("bootstrap: move the engines into place: " + ec.message());
  if (int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY); fd >= 0) {
    ::fsync(fd);  // the renames themselves must reach the disk
    ::close(fd);
  }
  fs::remove_all(dir / ".bootstrap", ec);
  log_->info("bootstrapped store {} and region {} (peers on stores {}) in {}", o_.store_id,
             kRegionId, o_.cluster.ToString(), o_.data_dir);
  return kv::Status::OK();
}

kv::Status StoreServer::openEngines() {
  kv::EngineOptions kv_options;
  kv_options.path = o_.data_dir + "/kv";
  kv_options.create_if_missing = false;
  kv_options.write_buffer_size = 32 << 20;
  kv_options.sync_writes = o_.sync_wal;
  kv::EngineOptions raft_options = kv_options;
  raft_options.path = o_.data_dir + "/raft";
  auto opened = kv::Engines::Open(std::move(kv_options), std::move(raft_options));
  if (!opened.ok()) {
    return opened.status().Annotate("open the engines in " + o_.data_dir +
                                    " (another tinykv-server on the same directory?)");
  }
  engines_ = std::move(opened).value();
  auto ident = raftstore::GetStoreIdent(engines_);
  if (!ident.ok()) return ident.status();
  if (!ident.value().has_value()) {
    return kv::Status::Corruption(o_.data_dir + " holds engines but no store identity");
  }
  if (ident.value()->store_id() != o_.store_id) {
    return kv::Status::InvalidArgument(o_.data_dir + " holds the data of store " +
                                       std::to_string(ident.value()->store_id()) +
                                       ", not of store " + std::to_string(o_.store_id));
  }
  auto state = raftstore::meta::GetRegionLocalState(*engines_.kv, kRegionId);
  if (!state.ok()) return state.status();
  if (state.value().has_value()) {
    std::set<uint64_t> have, want;
    for (const auto& p : state.value()->region().peers()) have.insert(p.store_id());
    for (const auto& [id, addr] : o_.cluster.stores) want.insert(id);
    if (have != want) {
      return kv::Status::InvalidArgument(
          o_.data_dir + " belongs to a cluster of " + std::to_string(have.size()) +
          " stores, but --cluster lists " + std::to_string(want.size()) +
          " (the membership is static: start every store with the list it was created with)");
    }
  }
  return kv::Status::OK();
}

kv::Status StoreServer::Start() {
  KV_RETURN_IF_ERROR(listen());
  KV_RETURN_IF_ERROR(bootstrapIfNew());
  KV_RETURN_IF_ERROR(openEngines());
  const uint64_t seed =
      o_.store_id * 0x9E3779B97F4A7C15ULL ^
      static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  rt_ = std::make_unique<runtime::RealRuntime>(seed);
  transport_ = std::make_unique<GrpcTransport>(o_.store_id, o_.cluster, log_);
  metapb::Store meta;
  meta.set_id(o_.store_id);
  meta.set_address(address_);
  store_ =
      std::make_unique<raftstore::RaftStore>(o_.cfg, meta, &engines_, transport_.get(), rt_.get());
  kv::Status started = kv::Status::OK();
  try {
    started = store_->Start();
  } catch (const std::exception& e) {
    started = kv::Status::Internal(std::string("threw: ") + e.what());
  }
  if (!started.ok()) return started.Annotate("start the raftstore");
  service_->Attach(store_.get(), rt_.get(), &engines_);
  log_->info("serving on {} (data {}, WAL {}synced, tick {} ms, log GC over {} entries)", address_,
             o_.data_dir, o_.sync_wal ? "" : "not ", o_.cfg.raft_base_tick_interval / 1000,
             o_.cfg.raft_log_gc_count_limit);
  return kv::Status::OK();
}

void StoreServer::Stop() {
  if (service_) service_->Detach();
  if (grpc_) {
    grpc_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    grpc_.reset();
  }
  if (store_ && rt_) {
    rt_->RunAndWait(store_->ctx().RaftQueue(), "stop", [this] { store_->Stop(); });
  }
  rt_.reset();  // joins the workers
  store_.reset();
  transport_.reset();
  if (engines_.kv || engines_.raft) {
    kv::Status s = engines_.Close();
    if (!s.ok()) log_->error("closing the engines: {}", s.ToString());
    engines_ = kv::Engines();
  }
  service_.reset();
}

}  // namespace server
