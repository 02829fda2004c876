#include "kv/engine_util/engines.h"

#include "kv/engine_util/rocks_status.h"

namespace kv {

Result<Engines> Engines::Open(const std::string& dir, std::shared_ptr<rocksdb::Env> env) {
  rocksdb::Env* fs = env ? env.get() : rocksdb::Env::Default();
  rocksdb::Status s = fs->CreateDirIfMissing(dir);
  if (!s.ok()) return FromRocks(s, "create the engines' directory " + dir);
  EngineOptions kv_options;
  kv_options.path = dir + "/kv";
  kv_options.env = env;
  EngineOptions raft_options;
  raft_options.path = dir + "/raft";
  raft_options.env = env;
  return Open(std::move(kv_options), std::move(raft_options));
}

Result<Engines> Engines::Open(EngineOptions kv_options, EngineOptions raft_options) {
  Engines engines;
  engines.kv_path = kv_options.path;
  engines.raft_path = raft_options.path;
  Result<std::unique_ptr<Engine>> kv = Engine::Open(Engine::Kind::kKv, std::move(kv_options));
  if (!kv.ok()) return kv.status();
  Result<std::unique_ptr<Engine>> raft = Engine::Open(Engine::Kind::kRaft, std::move(raft_options));
  if (!raft.ok()) return raft.status();
  engines.kv = std::move(kv).value();
  engines.raft = std::move(raft).value();
  return engines;
}

Status Engines::Close() {
  Status first;
  if (kv) first = kv->Close();
  if (raft) {
    Status s = raft->Close();
    if (first.ok()) first = s;
  }
  return first;
}

Status Engines::Destroy() {
  KV_RETURN_IF_ERROR(Close());
  Status first;
  if (kv) first = Engine::Destroy(kv->options());
  if (raft) {
    Status s = Engine::Destroy(raft->options());
    if (first.ok()) first = s;
  }
  return first;
}

}  // namespace kv
