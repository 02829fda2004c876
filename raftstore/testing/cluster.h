#pragma once

// A simulated cluster for raftstore tests (TinyKV's test_raftstore.Cluster): N stores in one
// SimRuntime, each with its own engines on one in-memory file system, talking through a
// SimTransport. Bootstrapped with one region (id 1) covering every key, with a peer on every
// store (peer id = 100 + store id, so that store and peer ids can't be confused).
//
// Clients' requests run through Client (client.h). The blocking helpers (MustPut, MustGet,
// Scan, ...) start a request and run the simulation until it is answered, so a test reads like
// TinyKV's; they return an AssertionResult that says what was expected, what happened, and
// the seed: `ASSERT_TRUE(cluster.MustPut("k", "v"));`.
//
// StopServer drops everything in flight for the store and closes its engines, as a crash
// would; StartServer reopens the same engines (the in-memory file system survives) and
// loads the store from them.

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kv/engine_util/engines.h"
#include "proto/metapb.pb.h"
#include "proto/raft_cmdpb.pb.h"
#include "raftstore/config.h"
#include "raftstore/peer.h"
#include "raftstore/raftstore.h"
#include "raftstore/runner/region_task.h"
#include "raftstore/runtime/sim_runtime.h"
#include "raftstore/testing/client.h"
#include "raftstore/testing/crash_points.h"
#include "raftstore/testing/sim_engine.h"
#include "raftstore/testing/sim_transport.h"
#include "timeline/recorder.h"

namespace raftstore::testing {

struct ClusterOptions {
  int stores = 5;
  Config cfg = Config::ForTests();
  uint64_t seed = 1;
  // Network delay of every Raft message between stores (plus the filters').
  runtime::Micros net_delay_min = 200;
  runtime::Micros net_delay_max = 2'000;
  // Delay of a client's request to a store, and of the answer back.
  runtime::Micros rpc_delay_min = 100;
  runtime::Micros rpc_delay_max = 1'000;
  // Lab 2C: faults of every store's region worker (snapshot generation failing or late).
  runner::RegionTaskFaults region_faults;
  // Preemption points (SimRuntime::PreemptionPoint): before every engine write and send of a
  // store, its region and raftlog-gc workers' runnable tasks may run first, as real threads
  // would, with this percent chance. -1 (the default): drawn from the seed, one of
  // kPreemptPercents; 0: off.
  int preempt_percent = -1;
  SimEngine engine = DefaultSimEngine();
};

// The preemption probabilities a seed draws from (ClusterOptions::preempt_percent = -1).
inline constexpr uint32_t kPreemptPercents[] = {20, 35, 50, 80};

// Watches a cluster for audits (raftstore/testing/audit/). Every hook does nothing by
// default. Hooks run inside the simulation and must not run it themselves.
class ClusterObserver {
 public:
  virtual ~ClusterObserver() = default;
  // A Raft message or a client command is about to reach this running store.
  virtual void OnStoreInput(uint64_t /*store_id*/) {}
  // A client command's callback was just made (before it reaches the store).
  virtual void OnCommand(uint64_t /*store_id*/, const raft_cmdpb::RaftCmdRequest& /*cmd*/,
                         Callback& /*cb*/) {}
  // Around StopServer (the store still runs in BeforeStop) and after StartServer succeeded.
  virtual void BeforeStop(uint64_t /*store_id*/) {}
  virtual void AfterStop(uint64_t /*store_id*/) {}
  virtual void AfterStart(uint64_t /*store_id*/) {}
  // StartServer opened the store's engines and is about to load the store from them: a
  // failure here is the restart's failure (the store is not started), with its message.
  virtual ::testing::AssertionResult BeforeStart(uint64_t /*store_id*/) {
    return ::testing::AssertionSuccess();
  }
  // A write to one of a running store's engines, from a task of that store: just before it
  // (event.done false) and just after it (true).
  virtual void OnEngineWrite(uint64_t /*store_id*/, const kv::Engine& /*engine*/,
                             const kv::Engine::WriteEvent& /*event*/) {}
  // At a preemption point of a store (before an engine write or a send), tasks of its other
  // workers ran (`ran`: "store 2/raftlog-gc raftlog-gc region 1 [6, 16)", ...) while its task
  // (`where`: "before its write batch of 2 ops to the kv engine (in store 2/raft)") waited.
  // The store's engines now hold what a crash right here would leave.
  virtual void OnPreempted(uint64_t /*store_id*/, const std::vector<std::string>& /*ran*/,
                           const std::string& /*where*/) {}
};

class Cluster {
 public:
  explicit Cluster(ClusterOptions options);
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  // Bootstraps every store and the region, and starts every store.
  ::testing::AssertionResult Start();
  // Stops every store.
  void Shutdown();
  // Crashes the store: its queued tasks and timers vanish, its engines are closed.
  void StopServer(uint64_t store_id);
  // Reopens the store's engines and starts it from them.
  ::testing::AssertionResult StartServer(uint64_t store_id);
  bool IsRunning(uint64_t store_id) const;

  runtime::SimRuntime& rt() { return rt_; }
  SimTransport& transport() { return transport_; }
  void AddFilter(std::unique_ptr<Filter> filter) { transport_.AddFilter(std::move(filter)); }
  void ClearFilters() { transport_.ClearFilters(); }
  const ClusterOptions& options() const { return options_; }
  uint64_t seed() const { return options_.seed; }
  std::vector<uint64_t> StoreIds() const;

  // Observers (not owned) must outlive the cluster or be removed first.
  void AddObserver(ClusterObserver* observer) { observers_.push_back(observer); }
  void RemoveObserver(ClusterObserver* observer) { std::erase(observers_, observer); }

  // Crash points (crash_points.h): `trigger` (not owned; null: none) is asked at every engine
  // write and every send of a store while a task of that store runs; where it says so, the
  // store crashes, is stopped as by StopServer, and the trigger hears of it (AfterCrash).
  void SetCrashTrigger(CrashTrigger* trigger) { crash_trigger_ = trigger; }
  CrashTrigger* crash_trigger() const { return crash_trigger_; }
  // "1.234 s: store 3 crashed before its write batch of ... (in store 3/raft)", one per crash.
  const std::vector<std::string>& crash_log() const { return crash_log_; }
  // The preemption percent this cluster runs with (ClusterOptions::preempt_percent resolved).
  uint32_t preempt_percent() const { return rt_.preemption().percent; }

  // The region as bootstrapped (lab 2B has just this one).
  const metapb::Region& region() const { return region_; }
  // The store's engines; only while it runs.
  kv::Engines& engines(uint64_t store_id);
  // The peer of `region_id` on a running store, or null. For inspection only.
  Peer* GetPeer(uint64_t store_id, uint64_t region_id);

  // The router of a running store, or null: for a RaftStorage in front of it.
  Router* GetRouter(uint64_t store_id);
  // A running store, or null. For inspection (its workers' counters) only.
  RaftStore* GetStore(uint64_t store_id);

  // The leader among the running stores' peers (the one with the highest term), if any.
  std::optional<metapb::Peer> LeaderOfRegion(uint64_t region_id);
  // Runs until some peer of the region is leader; fails with "no leader elected after N
  // simulated seconds" and every peer's state.
  ::testing::AssertionResult WaitLeader(runtime::Micros timeout = 10'000'000);
  // "store 1: peer 101 term 3 leader, commit 9 applied 9 last 9; store 2: down; ..."
  std::string DescribePeers();

  // A new client with the given id (ids are the client's identity in histories).
  Client& NewClient(int id);

  // Delivers a command to a store's router after an RPC delay and sends the answer back to
  // `reply_queue` after another; a store that is down answers StoreNotMatch ("down"). For a
  // Snap with `scan`, the store reads those keys of `scan_cf` from the command's snapshot.
  // Returns where the store's Raft log took the command, filled in once it is delivered.
  using AnswerFn = std::function<void(const raft_cmdpb::RaftCmdResponse&,
                                      std::vector<std::pair<std::string, std::string>>)>;
  std::shared_ptr<const ProposedAt> SendCommand(
      uint64_t store_id, const raft_cmdpb::RaftCmdRequest& cmd,
      const std::optional<std::pair<std::string, std::string>>& scan,
      const runtime::QueueId& reply_queue, AnswerFn answer, const std::string& scan_cf = "default");

  // Blocking requests through a client of id -1: run the simulation until answered.
  ClientReply Request(ClientRequest req, runtime::Micros timeout = 5'000'000);
  ::testing::AssertionResult MustPut(const std::string& key, const std::string& value);
  ::testing::AssertionResult MustPutCF(const std::string& cf, const std::string& key,
                                       const std::string& value);
  ::testing::AssertionResult MustGet(const std::string& key, const std::string& value);
  ::testing::AssertionResult MustGetCF(const std::string& cf, const std::string& key,
                                       const std::string& value);
  ::testing::AssertionResult MustGetNone(const std::string& key);
  ::testing::AssertionResult MustDelete(const std::string& key);
  ::testing::AssertionResult MustDeleteCF(const std::string& cf, const std::string& key);
  // The values of the keys in [start, end) (end "" = no end), in key order.
  ::testing::AssertionResult Scan(const std::string& start, const std::string& end,
                                  std::vector<std::string>* values);

  // Polls one store's kv engine (for up to `wait` of simulated time) until `key` holds
  // `value` / is absent: TinyKV's MustGetCfEqual / MustGetCfNone.
  ::testing::AssertionResult MustGetEqualOnStore(uint64_t store_id, const std::string& key,
                                                 const std::string& value,
                                                 runtime::Micros wait = 6'000'000);
  ::testing::AssertionResult MustGetNoneOnStore(uint64_t store_id, const std::string& key,
                                                runtime::Micros wait = 6'000'000);

  // " (seed 7; replay: bazel test ... --test_env=TINYKV_SEED=7 ...)" — for failure messages.
  std::string SeedNote() const;
  // Writes the event trace to $TINYKV_TRACE if set (and tracing was on). Returns the path.
  std::string DumpTrace() const;

  // The run's timeline (timeline/session.h): null unless timelines are on.
  timeline::Recorder* timeline() const { return timeline_; }

 private:
  struct StoreSlot {
    kv::Engines engines;
    std::unique_ptr<RaftStore> store;
  };
  std::string storeDir(uint64_t store_id) const;
  ::testing::AssertionResult openEngines(uint64_t store_id);
  ::testing::AssertionResult runRequest(ClientRequest req, ClientReply* reply);
  // Asks the crash trigger; throws runtime::StoreCrash if it says so.
  void crashPoint(CrashEvent& event);
  // Before a write or a send of a store: a preemption point, then a crash point.
  void beforeStep(CrashEvent& event);
  void onCrash(const runtime::StoreCrash& crash);

  ClusterOptions options_;
  runtime::SimRuntime rt_;
  SimTransport transport_;
  std::shared_ptr<rocksdb::Env> env_;
  // The engines' data when options_.engine is kMemory (env_ still holds snapshot files).
  std::shared_ptr<kv::MemoryEngines> memory_;
  metapb::Region region_;
  std::map<uint64_t, StoreSlot> stores_;
  std::map<int, std::unique_ptr<Client>> clients_;
  std::vector<ClusterObserver*> observers_;
  CrashTrigger* crash_trigger_ = nullptr;
  std::vector<std::string> crash_log_;

  // Timelines (cluster_timeline.cc); every call is behind `if (timeline_)`.
  struct TimelineState;
  void tlStart();
  void tlEnd();
  void tlAfterTask(uint64_t store_id);
  void tlStopped(uint64_t store_id);
  void tlStarted(uint64_t store_id);
  timeline::Recorder* timeline_ = nullptr;
  std::shared_ptr<TimelineState> tl_;
};

// Timelines: marks the operations on the key the linearizability check failed on, with its
// explanation, and records the failure. Does nothing when the cluster records no timeline.
struct LinearizabilityResult;
void RecordLinearizability(Cluster& cluster, const LinearizabilityResult& result);

// A one-line Request of each kind, for ClientRequest::requests.
raft_cmdpb::Request PutRequest(const std::string& cf, const std::string& key,
                               const std::string& value);
raft_cmdpb::Request GetRequest(const std::string& cf, const std::string& key);
raft_cmdpb::Request DeleteRequest(const std::string& cf, const std::string& key);
raft_cmdpb::Request SnapRequest();

}  // namespace raftstore::testing
