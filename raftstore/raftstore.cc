#include "raftstore/raftstore.h"

#include "kv/engine_util/cf.h"
#include "kv/engine_util/cf_iterator.h"
#include "raftstore/meta/keys.h"
#include "raftstore/util/checks.h"
#include "raftstore/util/cmd_resp.h"

namespace raftstore {

RaftStore::RaftStore(const Config& cfg, const metapb::Store& store, kv::Engines* engines,
                     Transport* trans, runtime::Runtime* rt) {
  ctx_.cfg = cfg;
  ctx_.store = store;
  ctx_.engines = engines;
  ctx_.trans = trans;
  ctx_.rt = rt;
  trans_ = trans;
}

void RaftStore::set_region_faults(const runner::RegionTaskFaults& faults) {
  region_faults_ = faults;
  if (region_worker_) region_worker_->set_faults(faults);
}

namespace {

// <dir>/snap next to <dir>/kv and <dir>/raft.
std::string SnapDir(const kv::Engines& engines) {
  const std::string& kv = engines.kv_path;
  const size_t slash = kv.find_last_of('/');
  return (slash == std::string::npos ? std::string(".") : kv.substr(0, slash)) + "/snap";
}

}  // namespace

RaftStore::~RaftStore() { Stop(); }

kv::Status RaftStore::Start() {
  if (running_) return kv::Status::InvalidArgument("store already started");
  // Lab 2C: snapshot files live on the engines' file system (in memory in tests). The env is
  // the engines' (they keep it alive), hence the deleter that does nothing.
  rocksdb::Env* env = ctx_.engines->kv->env();
  snap_mgr_ = std::make_unique<snap::SnapManager>(
      std::shared_ptr<rocksdb::Env>(env, [](rocksdb::Env*) {}), SnapDir(*ctx_.engines));
  snap_trans_ = std::make_unique<SnapTransport>(trans_, snap_mgr_.get(),
                                                static_cast<size_t>(ctx_.cfg.snap_chunk_size));
  runner::RegionTaskOptions region_options;
  region_options.faults = region_faults_;
  region_worker_ = std::make_unique<runner::RegionTaskHandler>(
      ctx_.engines, snap_mgr_.get(), ctx_.rt, ctx_.store_id(), region_options);
  raftlog_gc_worker_ = std::make_unique<runner::RaftLogGCTaskHandler>(ctx_.engines->raft.get(),
                                                                      ctx_.rt, ctx_.store_id());
  ctx_.trans = snap_trans_.get();
  ctx_.snap_mgr = snap_mgr_.get();
  ctx_.region_worker = region_worker_.get();
  ctx_.raftlog_gc_worker = raftlog_gc_worker_.get();

  core_ = std::make_shared<Core>();
  std::weak_ptr<Core> weak = core_;
  runtime::Runtime* rt = ctx_.rt;
  const runtime::QueueId queue = ctx_.RaftQueue();
  core_->router = std::make_unique<Router>([weak, rt, queue](uint64_t region_id, Msg msg) {
    auto shared = std::make_shared<Msg>(std::move(msg));
    std::string label = MsgName(*shared) + " region " + std::to_string(region_id);
    rt->Post(queue, std::move(label), [weak, region_id, shared] {
      if (auto core = weak.lock()) core->worker->Handle(region_id, *shared);
    });
  });
  router_ = core_->router.get();
  core_->worker = std::make_unique<RaftWorker>(&ctx_, router_);
  core_->worker->post_ready = [weak, rt, queue] {
    rt->Post(queue, "ready", [weak] {
      if (auto core = weak.lock()) core->worker->HandleReadys();
    });
  };

  // Every RegionLocalState in the kv engine is a region this store has a peer of.
  auto it = ctx_.engines->kv->NewIterator(kv::kCfRaft);
  if (!it.ok()) return it.status().Annotate("load peers");
  const std::string end = meta::RegionMetaMaxKey();
  std::vector<metapb::Region> regions;
  for (it.value()->Seek(meta::RegionMetaMinKey()); it.value()->Valid() && it.value()->key() < end;
       it.value()->Next()) {
    uint64_t region_id = 0;
    char suffix = 0;
    if (!meta::DecodeRegionMetaKey(it.value()->key(), &region_id, &suffix) ||
        suffix != meta::kRegionStateSuffix) {
      continue;
    }
    raft_serverpb::RegionLocalState state;
    if (!state.ParseFromArray(it.value()->value().data(),
                              static_cast<int>(it.value()->value().size()))) {
      return kv::Status::Corruption("region state of region " + std::to_string(region_id));
    }
    if (state.state() == raft_serverpb::Tombstone) continue;
    regions.push_back(state.region());
  }
  KV_RETURN_IF_ERROR(it.value()->status());
  it.value().reset();

  for (const metapb::Region& region : regions) {
    auto peer = Peer::Create(ctx_.store_id(), ctx_.cfg, ctx_.engines, region, rt->Random(~0ULL));
    if (!peer.ok()) return peer.status();
    peer.value()->peer_storage->region_sched = region_worker_.get();
    peer.value()->peer_storage->snap_mgr = snap_mgr_.get();
    // Entries below the truncated index may still be in the raft engine (a GC task that had
    // not run before a crash): the next task starts from the log's very beginning.
    peer.value()->last_compacted_idx = 0;
    router_->Register(std::move(peer).value());
    (void)router_->Send(region.id(), MsgStart{});
  }
  running_ = true;
  // Stores do not tick in lockstep: each starts its clock at a random phase.
  const runtime::Micros phase = rt->Random(ctx_.cfg.raft_base_tick_interval);
  tick_timer_ = rt->StartTimer(queue, phase + 1, "tick", [this, weak] {
    if (auto core = weak.lock()) {
      scheduleTick();
      core->worker->TickAll();
    }
  });
  return kv::Status::OK();
}

void RaftStore::scheduleTick() {
  std::weak_ptr<Core> weak = core_;
  tick_timer_ =
      ctx_.rt->StartTimer(ctx_.RaftQueue(), ctx_.cfg.raft_base_tick_interval, "tick", [this, weak] {
        if (auto core = weak.lock()) {
          scheduleTick();
          core->worker->TickAll();
        }
      });
}

void RaftStore::DeliverOnRaftQueue(uint64_t region_id, Msg msg) {
  if (!running_) return;
  if (router_->Get(region_id) == nullptr) {
    if (auto* cmd = std::get_if<MsgRaftCmd>(&msg)) {
      cmd->callback.Done(ErrRespRegionNotFound(region_id));
    }
    return;
  }
  core_->worker->Handle(region_id, msg);
}

void RaftStore::Stop() {
  if (!running_) return;
  running_ = false;
  ctx_.rt->CancelTimer(tick_timer_);
  for (uint64_t region_id : router_->RegionIds()) router_->Close(region_id);
  core_.reset();
  router_ = nullptr;
}

}  // namespace raftstore
