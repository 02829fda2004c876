#include "raftstore/testing/cluster.h"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iterator>

#include "kv/engine_util/cf.h"
#include "kv/engine_util/cf_iterator.h"
#include "raft/raft.h"
#include "raftstore/bootstrap.h"
#include "raftstore/util/cmd_resp.h"
#include "testutil/seed.h"

namespace raftstore::testing {

namespace {

runtime::Micros Draw(runtime::Runtime& rt, runtime::Micros lo, runtime::Micros hi) {
  return hi <= lo ? lo : lo + rt.Random(hi - lo + 1);
}

std::string Seconds(runtime::Micros t) {
  return std::to_string(t / 1'000'000) + "." + std::to_string(t / 100'000 % 10) + " s";
}

}  // namespace

raft_cmdpb::Request PutRequest(const std::string& cf, const std::string& key,
                               const std::string& value) {
  raft_cmdpb::Request r;
  r.set_cmd_type(raft_cmdpb::Put);
  r.mutable_put()->set_cf(cf);
  r.mutable_put()->set_key(key);
  r.mutable_put()->set_value(value);
  return r;
}

raft_cmdpb::Request GetRequest(const std::string& cf, const std::string& key) {
  raft_cmdpb::Request r;
  r.set_cmd_type(raft_cmdpb::Get);
  r.mutable_get()->set_cf(cf);
  r.mutable_get()->set_key(key);
  return r;
}

raft_cmdpb::Request DeleteRequest(const std::string& cf, const std::string& key) {
  raft_cmdpb::Request r;
  r.set_cmd_type(raft_cmdpb::Delete);
  r.mutable_delete_()->set_cf(cf);
  r.mutable_delete_()->set_key(key);
  return r;
}

raft_cmdpb::Request SnapRequest() {
  raft_cmdpb::Request r;
  r.set_cmd_type(raft_cmdpb::Snap);
  r.mutable_snap();
  return r;
}

Cluster::Cluster(ClusterOptions options)
    : options_(std::move(options)),
      rt_(options_.seed),
      transport_(&rt_, options_.net_delay_min, options_.net_delay_max) {
  runtime::SimRuntime::PreemptionOptions preemption;
  if (options_.preempt_percent >= 0) {
    preemption.percent = static_cast<uint32_t>(options_.preempt_percent);
  } else {
    // From the seed, without touching the run's generator.
    preemption.percent = kPreemptPercents[(options_.seed * 0x9e3779b97f4a7c15ULL >> 60) %
                                          std::size(kPreemptPercents)];
  }
  rt_.SetPreemption(std::move(preemption));
  const char* trace = std::getenv("TINYKV_TRACE");
  rt_.set_tracing(trace != nullptr && *trace != '\0');
  transport_.SetDeliver([this](uint64_t store_id, raft_serverpb::RaftMessage&& msg) {
    if (!IsRunning(store_id)) return;  // lost: the store is down
    for (ClusterObserver* o : observers_) o->OnStoreInput(store_id);
    const uint64_t region_id = msg.region_id();
    stores_.at(store_id).store->DeliverOnRaftQueue(region_id, MsgRaftMessage{std::move(msg)});
  });
  // Crash points (crash_points.h).
  rt_.set_crash_handler([this](const runtime::StoreCrash& crash) { onCrash(crash); });
  transport_.SetSendObserver([this](const raft_serverpb::RaftMessage& msg, bool sent) {
    CrashEvent e;
    e.store_id = msg.from_peer().store_id();
    e.kind = CrashEvent::Kind::kSend;
    e.done = sent;
    e.msg = &msg;
    if (!sent) {
      beforeStep(e);
    } else if (crash_trigger_ != nullptr) {
      crashPoint(e);
    }
  });
  tlStart();
}

void Cluster::beforeStep(CrashEvent& event) {
  const runtime::QueueId* queue = rt_.current_queue();
  if (queue == nullptr || queue->store_id != event.store_id || !IsRunning(event.store_id)) return;
  // A preemption point first: the store's other workers may overtake the task here.
  const std::vector<std::string> ran = rt_.PreemptionPoint();
  if (!ran.empty()) {
    // (current_queue() moved while they ran: read it again.)
    event.queue = rt_.current_queue();
    const std::string where = event.Describe();
    for (ClusterObserver* o : observers_) o->OnPreempted(event.store_id, ran, where);
    if (crash_trigger_ != nullptr) {
      CrashEvent preempted = event;
      preempted.kind = CrashEvent::Kind::kPreempted;
      preempted.done = true;
      preempted.preempted_by = &ran;
      preempted.overtaken = where;
      crashPoint(preempted);
    }
  }
  if (crash_trigger_ != nullptr) crashPoint(event);
}

void Cluster::crashPoint(CrashEvent& event) {
  // Only in a task of that store: not while the test itself starts or inspects it.
  const runtime::QueueId* queue = rt_.current_queue();
  if (queue == nullptr || queue->store_id != event.store_id || !IsRunning(event.store_id)) return;
  event.queue = queue;
  if (crash_trigger_->ShouldCrash(event)) {
    throw runtime::StoreCrash{event.store_id, event.Describe()};
  }
}

void Cluster::onCrash(const runtime::StoreCrash& crash) {
  crash_log_.push_back(std::to_string(rt_.Now() / 1000) + " ms: store " +
                       std::to_string(crash.store_id) + " crashed " + crash.where);
  StopServer(crash.store_id);
  // Unwinding the store's task must release everything it held on the engines (iterators,
  // snapshots): an engine that cannot close was left a reader by the unwinding.
  const kv::Engines& e = stores_.at(crash.store_id).engines;
  if ((e.kv && !e.kv->closed()) || (e.raft && !e.raft->closed())) {
    ADD_FAILURE() << "store " << crash.store_id << " crashed " << crash.where
                  << ", and its engines could not be closed: a reader survived the crash"
                  << SeedNote();
  }
  if (crash_trigger_ != nullptr) crash_trigger_->AfterCrash(crash.store_id);
}

Cluster::~Cluster() {
  if (::testing::Test::HasFailure()) {
    std::string path = DumpTrace();
    if (!path.empty()) std::printf("[  TRACE   ] event trace written to %s\n", path.c_str());
  }
  if (timeline_) tlEnd();  // the stores going down at the end are not part of the run
  Shutdown();
}

std::string Cluster::storeDir(uint64_t store_id) const {
  return "/tinykv-test/store" + std::to_string(store_id);
}

::testing::AssertionResult Cluster::openEngines(uint64_t store_id) {
  const std::string dir = storeDir(store_id);
  if (auto s = env_->CreateDirIfMissing(dir); !s.ok()) {
    return ::testing::AssertionFailure() << "create " << dir << ": " << s.ToString();
  }
  // A simulated crash closes the engines between two tasks: nothing is ever half written, so
  // the write-ahead log buys nothing here, and without it a restart does not replay every
  // write since the cluster started (Close flushes instead).
  kv::EngineOptions kv_options;
  kv_options.path = dir + "/kv";
  kv_options.env = env_;
  kv_options.disable_wal = true;
  kv_options.memory = memory_;
  kv::EngineOptions raft_options = kv_options;
  raft_options.path = dir + "/raft";
  auto engines = kv::Engines::Open(std::move(kv_options), std::move(raft_options));
  if (!engines.ok()) {
    return ::testing::AssertionFailure()
           << "open the engines of store " << store_id << ": " << engines.status().ToString();
  }
  stores_[store_id].engines = std::move(engines).value();
  // Crash points at every engine write (crash_points.h).
  for (kv::Engine* engine :
       {stores_[store_id].engines.kv.get(), stores_[store_id].engines.raft.get()}) {
    engine->set_write_observer(
        [this, store_id](const kv::Engine& e, const kv::Engine::WriteEvent& w) {
          // Observers first: a crash right after the write must not hide it from them.
          if (w.done) {
            for (ClusterObserver* o : observers_) o->OnEngineWrite(store_id, e, w);
          }
          CrashEvent event;
          event.store_id = store_id;
          event.kind = CrashEvent::Kind::kWrite;
          event.done = w.done;
          event.engine = e.kind();
          event.what = w.what;
          event.ops = w.ops;
          if (!w.done) {
            beforeStep(event);
            for (ClusterObserver* o : observers_) o->OnEngineWrite(store_id, e, w);
          } else if (crash_trigger_ != nullptr) {
            crashPoint(event);
          }
        });
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult Cluster::Start() {
  env_ = kv::NewInMemoryEnv();
  if (options_.engine == SimEngine::kMemory) memory_ = kv::NewMemoryEngines();
  if (auto s = env_->CreateDirIfMissing("/tinykv-test"); !s.ok()) {
    return ::testing::AssertionFailure() << "create the test directory: " << s.ToString();
  }
  region_.set_id(1);
  region_.mutable_region_epoch()->set_conf_ver(1);
  region_.mutable_region_epoch()->set_version(1);
  for (int i = 1; i <= options_.stores; ++i) {
    metapb::Peer* p = region_.add_peers();
    p->set_id(100 + static_cast<uint64_t>(i));
    p->set_store_id(static_cast<uint64_t>(i));
  }
  for (int i = 1; i <= options_.stores; ++i) {
    const uint64_t id = static_cast<uint64_t>(i);
    if (auto r = openEngines(id); !r) return r;
    kv::Engines& e = stores_[id].engines;
    if (auto s = BootstrapStore(e, 1, id); !s.ok()) {
      return ::testing::AssertionFailure() << "bootstrap store " << id << ": " << s.ToString();
    }
    if (auto s = PrepareBootstrapCluster(e, region_); !s.ok()) {
      return ::testing::AssertionFailure()
             << "bootstrap region on store " << id << ": " << s.ToString();
    }
    if (auto s = ClearPrepareBootstrapState(e); !s.ok()) {
      return ::testing::AssertionFailure() << s.ToString();
    }
    if (auto s = stores_[id].engines.Close(); !s.ok()) {
      return ::testing::AssertionFailure() << s.ToString();
    }
    if (auto r = StartServer(id); !r) return r;
  }
  return ::testing::AssertionSuccess();
}

void Cluster::Shutdown() {
  for (auto& [id, slot] : stores_) {
    if (slot.store) StopServer(id);
  }
}

void Cluster::StopServer(uint64_t store_id) {
  auto it = stores_.find(store_id);
  if (it == stores_.end() || !it->second.store) return;
  for (ClusterObserver* o : observers_) o->BeforeStop(store_id);
  rt_.DropStore(store_id);
  it->second.store->Stop();
  it->second.store.reset();
  (void)it->second.engines.Close();
  for (ClusterObserver* o : observers_) o->AfterStop(store_id);
  if (timeline_) tlStopped(store_id);
}

::testing::AssertionResult Cluster::StartServer(uint64_t store_id) {
  StoreSlot& slot = stores_[store_id];
  if (slot.store) return ::testing::AssertionSuccess();
  if (!slot.engines.kv || slot.engines.kv->closed()) {
    if (auto r = openEngines(store_id); !r) return r;
  }
  for (ClusterObserver* o : observers_) {
    if (auto r = o->BeforeStart(store_id); !r) {
      return ::testing::AssertionFailure()
             << "store " << store_id
             << " cannot restart from what its engines hold: " << r.message();
    }
  }
  metapb::Store meta;
  meta.set_id(store_id);
  meta.set_address("store" + std::to_string(store_id));
  slot.store = std::make_unique<RaftStore>(options_.cfg, meta, &slot.engines, &transport_, &rt_);
  slot.store->set_region_faults(options_.region_faults);
  kv::Status started = kv::Status::OK();
  try {
    started = slot.store->Start();
  } catch (const std::exception& e) {
    // E.g. a RaftLog that cannot read the log its storage describes.
    started = kv::Status::Internal(std::string("threw: ") + e.what());
  }
  if (!started.ok()) {
    rt_.DropStore(store_id);
    slot.store.reset();
    return ::testing::AssertionFailure()
           << "start store " << store_id << ": " << started.ToString();
  }
  for (ClusterObserver* o : observers_) o->AfterStart(store_id);
  if (timeline_) tlStarted(store_id);
  return ::testing::AssertionSuccess();
}

bool Cluster::IsRunning(uint64_t store_id) const {
  auto it = stores_.find(store_id);
  return it != stores_.end() && it->second.store && it->second.store->running();
}

std::vector<uint64_t> Cluster::StoreIds() const {
  std::vector<uint64_t> ids;
  for (const auto& [id, slot] : stores_) ids.push_back(id);
  return ids;
}

kv::Engines& Cluster::engines(uint64_t store_id) { return stores_.at(store_id).engines; }

Peer* Cluster::GetPeer(uint64_t store_id, uint64_t region_id) {
  if (!IsRunning(store_id)) return nullptr;
  return stores_.at(store_id).store->router().Get(region_id);
}

RaftStore* Cluster::GetStore(uint64_t store_id) {
  return IsRunning(store_id) ? stores_.at(store_id).store.get() : nullptr;
}

Router* Cluster::GetRouter(uint64_t store_id) {
  return IsRunning(store_id) ? &stores_.at(store_id).store->router() : nullptr;
}

std::optional<metapb::Peer> Cluster::LeaderOfRegion(uint64_t region_id) {
  std::optional<metapb::Peer> leader;
  uint64_t term = 0;
  for (const auto& [id, slot] : stores_) {
    Peer* p = GetPeer(id, region_id);
    if (p != nullptr && p->IsLeader() && p->Term() >= term) {
      term = p->Term();
      leader = p->meta;
    }
  }
  return leader;
}

::testing::AssertionResult Cluster::WaitLeader(runtime::Micros timeout) {
  const runtime::Micros start = rt_.Now();
  if (rt_.RunUntil([&] { return LeaderOfRegion(region_.id()).has_value(); }, start + timeout)) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "no leader elected after " << timeout / 1'000'000
         << " simulated seconds; peers: " << DescribePeers() << SeedNote();
}

std::string Cluster::DescribePeers() {
  std::string out;
  for (const auto& [id, slot] : stores_) {
    if (!out.empty()) out += "; ";
    out += "store " + std::to_string(id) + ": ";
    Peer* p = GetPeer(id, region_.id());
    if (p == nullptr) {
      out += IsRunning(id) ? "no peer" : "down";
      continue;
    }
    const raft::Raft& r = *p->raft_group->raft;
    out += "peer " + std::to_string(p->PeerId()) + " term " + std::to_string(r.term) + " " +
           raft::StateName(r.state) + " lead " + std::to_string(r.lead) + ", commit " +
           std::to_string(r.raft_log.committed) + " applied " +
           std::to_string(p->peer_storage->AppliedIndex()) + " truncated " +
           std::to_string(p->peer_storage->TruncatedIndex()) + " last " +
           std::to_string(r.raft_log.LastIndex());
  }
  return out;
}

Client& Cluster::NewClient(int id) {
  auto& c = clients_[id];
  if (!c) c = std::make_unique<Client>(this, id);
  return *c;
}

namespace {

// The newest entry of the peer's in-memory log (0: none).
uint64_t LastEntryIndex(Peer* peer) {
  if (peer == nullptr || !peer->raft_group || !peer->raft_group->raft) return 0;
  const auto& entries = peer->raft_group->raft->raft_log.entries;
  return entries.empty() ? 0 : entries.back().index();
}

// Whether `data` (an entry's) holds the requests of `cmd`. `serialized` is cmd's
// serialization: data with the same bytes parses to cmd itself, so the usual entry (the
// proposal of cmd as it was sent) needs no parse.
bool HoldsCommand(const std::string& data, const raft_cmdpb::RaftCmdRequest& cmd,
                  const std::string& serialized) {
  if (!data.empty() && data == serialized) return !cmd.has_admin_request();
  raft_cmdpb::RaftCmdRequest got;
  if (data.empty() || !got.ParseFromString(data)) return false;
  if (got.requests_size() != cmd.requests_size() || got.has_admin_request()) return false;
  for (int i = 0; i < cmd.requests_size(); ++i) {
    if (got.requests(i).SerializeAsString() != cmd.requests(i).SerializeAsString()) return false;
  }
  return true;
}

// The entry the peer appended for `cmd` after `last_before`, if any.
ProposedAt FindProposal(Peer* peer, uint64_t store_id, uint64_t last_before,
                        const raft_cmdpb::RaftCmdRequest& cmd) {
  ProposedAt at;
  if (peer == nullptr || !peer->raft_group || !peer->raft_group->raft) return at;
  const auto& entries = peer->raft_group->raft->raft_log.entries;
  std::string serialized;
  for (auto it = entries.rbegin(); it != entries.rend() && it->index() > last_before; ++it) {
    if (it->entry_type() != eraftpb::EntryNormal) continue;
    if (serialized.empty()) serialized = cmd.SerializeAsString();
    if (HoldsCommand(it->data(), cmd, serialized)) {
      at = ProposedAt{store_id, it->index(), it->term()};
      break;
    }
  }
  return at;
}

}  // namespace

std::shared_ptr<const ProposedAt> Cluster::SendCommand(
    uint64_t store_id, const raft_cmdpb::RaftCmdRequest& cmd,
    const std::optional<std::pair<std::string, std::string>>& scan,
    const runtime::QueueId& reply_queue, AnswerFn answer, const std::string& scan_cf) {
  auto proposed = std::make_shared<ProposedAt>();
  auto reply = [this, reply_queue, answer](const raft_cmdpb::RaftCmdResponse& resp,
                                           std::vector<std::pair<std::string, std::string>> kvs) {
    rt_.StartTimer(
        reply_queue, Draw(rt_, options_.rpc_delay_min, options_.rpc_delay_max), "answer",
        // The timer fires once: the scanned pairs move on, not copied (a scan
        // returns a client's every key).
        [answer, resp, kvs = std::move(kvs)]() mutable { answer(resp, std::move(kvs)); });
  };
  rt_.StartTimer(
      runtime::QueueId{store_id, "raft"}, Draw(rt_, options_.rpc_delay_min, options_.rpc_delay_max),
      "client command", [this, store_id, cmd, scan, scan_cf, reply, proposed] {
        if (!IsRunning(store_id)) {
          reply(ErrResp(ErrStoreNotMatch(store_id, 0)), {});
          return;
        }
        // A scan stops at the region's end (the region as it is now); the callback keeps only
        // that key, not a copy of the whole region per command.
        std::string end_key = scan ? region_.end_key() : std::string();
        Callback cb(
            [reply, scan, scan_cf, end_key = std::move(end_key)](
                const raft_cmdpb::RaftCmdResponse& resp, std::shared_ptr<kv::EngineSnapshot> txn) {
              std::vector<std::pair<std::string, std::string>> kvs;
              if (txn && scan && !RespError(resp)) {
                // The store's side of a Scan: read the range from the command's snapshot,
                // right away (the snapshot must not outlive the engine).
                auto it = txn->NewIterator(scan_cf);
                if (it.ok()) {
                  for (it.value()->Seek(scan->first); it.value()->Valid(); it.value()->Next()) {
                    const std::string_view key = it.value()->key();
                    if (!scan->second.empty() && key >= scan->second) break;
                    if (!end_key.empty() && key >= end_key) break;
                    kvs.emplace_back(key, it.value()->value());
                  }
                }
              }
              reply(resp, std::move(kvs));
            });
        for (ClusterObserver* o : observers_) {
          o->OnStoreInput(store_id);
          o->OnCommand(store_id, cmd, cb);
        }
        const uint64_t region_id = cmd.header().region_id();
        const uint64_t last_before = LastEntryIndex(GetPeer(store_id, region_id));
        stores_.at(store_id).store->DeliverOnRaftQueue(region_id, MsgRaftCmd{cmd, std::move(cb)});
        *proposed = FindProposal(GetPeer(store_id, region_id), store_id, last_before, cmd);
      });
  return proposed;
}

ClientReply Cluster::Request(ClientRequest req, runtime::Micros timeout) {
  Client& client = NewClient(-1);
  bool done = false;
  ClientReply out;
  client.Call(std::move(req), timeout, [&](ClientReply r) {
    out = std::move(r);
    done = true;
  });
  const runtime::Micros deadline = rt_.Now() + timeout + 2 * Client::kAttemptTimeout;
  if (!rt_.RunUntil([&] { return done; }, deadline)) {
    out.ok = false;
    out.error = "the request never finished";
  }
  return out;
}

namespace {

std::string Quote(const std::string& s) { return "\"" + s + "\""; }

}  // namespace

::testing::AssertionResult Cluster::MustPut(const std::string& key, const std::string& value) {
  return MustPutCF(std::string(kv::kCfDefault), key, value);
}

::testing::AssertionResult Cluster::MustPutCF(const std::string& cf, const std::string& key,
                                              const std::string& value) {
  ClientRequest req;
  req.requests.push_back(PutRequest(cf, key, value));
  req.writes = true;
  req.what = "Put(" + Quote(key) + ")";
  ClientReply r = Request(std::move(req));
  if (r.ok) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "MustPut(" << Quote(key) << ", " << Quote(value) << ") failed: " << r.error
         << ". Peers: " << DescribePeers() << SeedNote();
}

::testing::AssertionResult Cluster::MustGet(const std::string& key, const std::string& value) {
  return MustGetCF(std::string(kv::kCfDefault), key, value);
}

::testing::AssertionResult Cluster::MustGetCF(const std::string& cf, const std::string& key,
                                              const std::string& value) {
  ClientRequest req;
  req.requests.push_back(GetRequest(cf, key));
  req.what = "Get(" + Quote(key) + ")";
  ClientReply r = Request(std::move(req));
  if (!r.ok) {
    return ::testing::AssertionFailure() << "MustGet(" << Quote(key) << ") failed: " << r.error
                                         << ". Peers: " << DescribePeers() << SeedNote();
  }
  if (r.resp.responses_size() != 1 || r.resp.responses(0).cmd_type() != raft_cmdpb::Get) {
    return ::testing::AssertionFailure()
           << "Get(" << Quote(key) << ") answered " << r.resp.responses_size()
           << " responses instead of one Get response: " << r.resp.ShortDebugString() << SeedNote();
  }
  const std::string& got = r.resp.responses(0).get().value();
  if (got != value) {
    return ::testing::AssertionFailure()
           << "Get(" << Quote(key) << "): expected " << (value.empty() ? "none" : Quote(value))
           << ", got " << (got.empty() ? "none" : Quote(got)) << SeedNote();
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult Cluster::MustGetNone(const std::string& key) {
  return MustGetCF(std::string(kv::kCfDefault), key, "");
}

::testing::AssertionResult Cluster::MustDelete(const std::string& key) {
  return MustDeleteCF(std::string(kv::kCfDefault), key);
}

::testing::AssertionResult Cluster::MustDeleteCF(const std::string& cf, const std::string& key) {
  ClientRequest req;
  req.requests.push_back(DeleteRequest(cf, key));
  req.writes = true;
  req.what = "Delete(" + Quote(key) + ")";
  ClientReply r = Request(std::move(req));
  if (r.ok) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "MustDelete(" << Quote(key) << ") failed: " << r.error
                                       << ". Peers: " << DescribePeers() << SeedNote();
}

::testing::AssertionResult Cluster::Scan(const std::string& start, const std::string& end,
                                         std::vector<std::string>* values) {
  ClientRequest req;
  req.requests.push_back(SnapRequest());
  req.scan = std::make_pair(start, end);
  req.what = "Scan(" + Quote(start) + ", " + Quote(end) + ")";
  const std::string what = req.what;
  ClientReply r = Request(std::move(req));
  if (!r.ok) {
    return ::testing::AssertionFailure()
           << what << " failed: " << r.error << ". Peers: " << DescribePeers() << SeedNote();
  }
  values->clear();
  for (auto& [k, v] : r.scanned) values->push_back(v);
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult Cluster::MustGetEqualOnStore(uint64_t store_id, const std::string& key,
                                                        const std::string& value,
                                                        runtime::Micros wait) {
  std::string last = "(store down)";
  const runtime::Micros deadline = rt_.Now() + wait;
  for (;;) {
    if (IsRunning(store_id)) {
      auto v = engines(store_id).kv->GetCF(kv::kCfDefault, key);
      if (!v.ok()) return ::testing::AssertionFailure() << v.status().ToString();
      if (v.value().has_value() && *v.value() == value) return ::testing::AssertionSuccess();
      last = v.value().has_value() ? Quote(*v.value()) : "none";
    }
    if (rt_.Now() >= deadline) break;
    rt_.RunFor(20'000);
  }
  return ::testing::AssertionFailure()
         << "store " << store_id << ": expected " << Quote(key) << " = " << Quote(value)
         << " within " << Seconds(wait) << ", has " << last << SeedNote();
}

::testing::AssertionResult Cluster::MustGetNoneOnStore(uint64_t store_id, const std::string& key,
                                                       runtime::Micros wait) {
  std::string last = "(store down)";
  const runtime::Micros deadline = rt_.Now() + wait;
  for (;;) {
    if (IsRunning(store_id)) {
      auto v = engines(store_id).kv->GetCF(kv::kCfDefault, key);
      if (!v.ok()) return ::testing::AssertionFailure() << v.status().ToString();
      if (!v.value().has_value()) return ::testing::AssertionSuccess();
      last = Quote(*v.value());
    }
    if (rt_.Now() >= deadline) break;
    rt_.RunFor(20'000);
  }
  return ::testing::AssertionFailure()
         << "store " << store_id << ": expected " << Quote(key) << " to be absent within "
         << Seconds(wait) << ", has " << last << SeedNote();
}

std::string Cluster::SeedNote() const {
  return " (cluster seed " + std::to_string(options_.seed) + ", at " + Seconds(rt_.Now()) +
         " simulated; replay: " + testutil::ReplayCommand() + ")";
}

std::string Cluster::DumpTrace() const {
  const char* path = std::getenv("TINYKV_TRACE");
  if (path == nullptr || *path == '\0' || rt_.trace().empty()) return "";
  std::ofstream out(path);
  for (const runtime::Event& e : rt_.trace()) out << e.ToString() << "\n";
  return path;
}

}  // namespace raftstore::testing
