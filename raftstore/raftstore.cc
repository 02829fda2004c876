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
}

RaftStore::~RaftStore() { Stop(); }

kv::Status RaftStore::Start() {
  if (running_) return kv::Status::InvalidArgument("store already started");
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
