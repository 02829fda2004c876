// Integration tests of the live cluster: real tinykv-server processes on loopback, a real
// client, SIGKILL. Each test is bounded (every wait has a deadline well under Bazel's
// timeout) and reaps its processes on every path (LiveClusterHarness's destructor).

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>

#include "raftstore/testing/history.h"
#include "raftstore/testing/linearizability.h"
#include "server/live_cluster_harness.h"

namespace server::testing {
namespace {

using namespace std::chrono_literals;
using raftstore::testing::History;
using raftstore::testing::OpKind;

std::string TempRoot(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string root = std::string(tmp ? tmp : "/tmp") + "/" + name;
  std::string cmd = "rm -rf '" + root + "' && mkdir -p '" + root + "'";
  if (std::system(cmd.c_str()) != 0) ADD_FAILURE() << "cannot create " << root;
  return root;
}

// Fast elections and log GC that really happens: a leader compacts once 40 applied entries
// pile up (checked every 200 ms), and snapshots travel in 4 KiB chunks.
const std::vector<std::string> kFastFlags = {"--raft-base-tick-ms=50", "--raft-log-gc-tick-ms=200",
                                             "--raft-log-gc-count-limit=40",
                                             "--snap-chunk-size=4096"};

// Clients writing and reading a few keys, every operation recorded for the linearizability
// checker. A write whose outcome the client could not learn stays pending, and every
// ambiguous attempt of it becomes a pending copy (it may still take effect later).
class Workload {
 public:
  Workload(LiveClient& client, int clients, int keys) : client_(client), keys_(keys) {
    start_ = std::chrono::steady_clock::now();
    for (int c = 0; c < clients; ++c) threads_.emplace_back([this, c] { run(c); });
  }
  ~Workload() { Stop(); }

  void Stop() {
    stop_.store(true);
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  uint64_t acked_writes() const { return acked_.load(); }
  uint64_t failures() const { return failures_.load(); }
  std::vector<raftstore::testing::Operation> Operations() {
    std::lock_guard<std::mutex> lock(mu_);
    return history_.Operations();
  }

 private:
  uint64_t now() const {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                     std::chrono::steady_clock::now() - start_)
                                     .count());
  }

  void run(int c) {
    std::mt19937_64 rng(static_cast<uint64_t>(c) + 1);
    for (int n = 0; !stop_.load(); ++n) {
      const std::string key = "key" + std::to_string(rng() % keys_);
      const int dice = static_cast<int>(rng() % 100);
      const OpKind kind = dice < 55 ? OpKind::kPut : dice < 90 ? OpKind::kGet : OpKind::kDelete;
      const std::string value = "c" + std::to_string(c) + "-" + std::to_string(n);
      History::OpId id;
      {
        std::lock_guard<std::mutex> lock(mu_);
        id = history_.Invoke(c, kind, key, kind == OpKind::kPut ? value : "", now());
      }
      Outcome out;
      std::optional<std::string> read;
      if (kind == OpKind::kPut) {
        out = client_.Put(key, value);
      } else if (kind == OpKind::kDelete) {
        out = client_.Delete(key);
      } else {
        out = client_.Get(key, &read);
      }
      std::lock_guard<std::mutex> lock(mu_);
      if (kind != OpKind::kGet) {
        for (int i = 0; i < out.ambiguous; ++i) history_.AddPendingCopy(id);
      }
      if (!out.ok()) {
        failures_.fetch_add(1);
        if (kind == OpKind::kGet) history_.Discard(id);  // a read that failed had no effect
        continue;                                        // a write stays pending
      }
      if (kind == OpKind::kGet) {
        history_.ReturnGet(id, read, now());
      } else {
        history_.ReturnWrite(id, now());
        acked_.fetch_add(1);
      }
    }
  }

  LiveClient& client_;
  const int keys_;
  std::chrono::steady_clock::time_point start_;
  std::mutex mu_;
  History history_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> acked_{0};
  std::atomic<uint64_t> failures_{0};
  std::vector<std::thread> threads_;
};

uint64_t StatusField(LiveClient& c, uint64_t store,
                     uint64_t (tinykvpb::StatusResponse::*field)() const) {
  auto s = c.Status(store);
  return s.ok() ? (s.value().*field)() : 0;
}

// The scenario of issue 14: three stores, concurrent clients, the leader killed with SIGKILL
// in the middle of their writes, the log compacted past it while it is down, restarted: it
// must come back by a snapshot, the clients' history must be linearizable, and every store
// must end with the same data.
TEST(LiveCluster, LeaderKilledMidWriteComesBackBySnapshot) {
  LiveClusterHarness h(3, TempRoot("kill_leader"), kFastFlags);
  ASSERT_TRUE(h.StartAll());
  auto leader = h.WaitLeader(60s);
  ASSERT_TRUE(leader) << "no leader within 60 s\n" << h.Describe() << h.LogTail(1);

  Workload w(h.client(), 4, 8);
  ASSERT_TRUE(LiveClusterHarness::WaitFor([&] { return w.acked_writes() >= 100; }, 60s))
      << "the clients could not write 100 times in 60 s (" << w.acked_writes() << ")\n"
      << h.Describe();

  // Kill whoever leads now, mid-write.
  leader = h.WaitLeader(30s);
  ASSERT_TRUE(leader) << h.Describe();
  const uint64_t victim = *leader;
  const uint64_t victim_applied =
      StatusField(h.client(), victim, &tinykvpb::StatusResponse::applied_index);
  ASSERT_TRUE(h.Stop(victim, SIGKILL).has_value());

  // The survivors elect a leader and go on; wait until the new leader's log starts past
  // everything the victim had, so that only a snapshot can bring it back.
  uint64_t survivor_truncated = 0;
  ASSERT_TRUE(LiveClusterHarness::WaitFor(
      [&] {
        for (const auto& [id, addr] : h.cluster().stores) {
          if (id == victim) continue;
          survivor_truncated =
              std::max(survivor_truncated,
                       StatusField(h.client(), id, &tinykvpb::StatusResponse::truncated_index));
        }
        return survivor_truncated > victim_applied + 40;
      },
      90s))
      << "the survivors did not compact past index " << victim_applied << " (the victim's)"
      << " within 90 s\n"
      << h.Describe();

  const uint64_t acked_before_restart = w.acked_writes();
  ASSERT_TRUE(h.Start(victim));
  ASSERT_TRUE(LiveClusterHarness::WaitFor(
      [&] {
        auto s = h.client().Status(victim);
        return s.ok() && s.value().snapshots_applied() > 0 &&
               s.value().applied_index() > survivor_truncated;
      },
      90s))
      << "store " << victim << " did not catch up by a snapshot within 90 s\n"
      << h.Describe() << h.LogTail(victim);
  // The clients keep writing while it catches up.
  ASSERT_TRUE(LiveClusterHarness::WaitFor(
      [&] { return w.acked_writes() >= acked_before_restart + 50; }, 60s))
      << h.Describe();
  w.Stop();

  auto result = raftstore::testing::CheckLinearizable(w.Operations());
  EXPECT_TRUE(result.ok) << "the clients' history is not linearizable (key " << result.key << "):\n"
                         << result.explanation;

  // Every store ends with the same data at the same applied index.
  std::string last;
  const bool same = LiveClusterHarness::WaitFor(
      [&] {
        last.clear();
        std::optional<std::pair<uint64_t, uint64_t>> first;
        bool equal = true;
        for (const auto& [id, addr] : h.cluster().stores) {
          auto s = h.client().Status(id, /*digest=*/true);
          if (!s.ok()) return false;
          const auto& v = s.value();
          last += "store " + std::to_string(id) + ": applied " + std::to_string(v.applied_index()) +
                  ", " + std::to_string(v.data_keys()) + " keys, digest " +
                  std::to_string(v.data_digest()) + "\n";
          auto mine = std::make_pair(v.applied_index(), v.data_digest());
          if (first && *first != mine) equal = false;
          if (!first) first = mine;
        }
        return equal;
      },
      60s);
  EXPECT_TRUE(same) << "the stores' data differ:\n" << last;
}

// Bad input: each a clear error, nothing corrupted, the store keeps serving.
TEST(LiveServer, BadInputIsRefusedAndTheStoreKeepsServing) {
  const std::string root = TempRoot("bad_input");
  LiveClusterHarness h(1, root, kFastFlags);
  ASSERT_TRUE(h.StartAll());
  ASSERT_TRUE(h.WaitLeader(60s)) << h.Describe() << h.LogTail(1);
  LiveClient& c = h.client();
  ASSERT_TRUE(c.Put("k", "v1").ok());

  // An unknown column family: refused at once, not retried.
  Outcome bad_cf = c.Put("k", "x", "no-such-cf");
  EXPECT_FALSE(bad_cf.ok());
  EXPECT_EQ(bad_cf.attempts, 1) << bad_cf.status.ToString();

  auto channel = grpc::CreateChannel(h.cluster().stores.at(1), grpc::InsecureChannelCredentials());
  auto stub = tinykvpb::TinyKv::NewStub(channel);
  {
    // An unknown region: RegionNotFound.
    grpc::ClientContext ctx;
    kvrpcpb::RawGetRequest req;
    req.mutable_context()->set_region_id(7);
    req.set_key("k");
    req.set_cf("default");
    kvrpcpb::RawGetResponse resp;
    ASSERT_TRUE(stub->RawGet(&ctx, req, &resp).ok());
    EXPECT_TRUE(resp.region_error().has_region_not_found()) << resp.ShortDebugString();
  }
  {
    // A Raft message that is not for this store, and a damaged snapshot chunk.
    grpc::ClientContext ctx;
    tinykvpb::Done done;
    auto writer = stub->Snapshot(&ctx, &done);
    raft_serverpb::RaftMessage wrong_store;
    wrong_store.set_region_id(1);
    wrong_store.mutable_to_peer()->set_store_id(9);
    EXPECT_TRUE(writer->Write(wrong_store));
    raft_serverpb::RaftMessage chunk;
    chunk.set_region_id(1);
    chunk.mutable_from_peer()->set_id(102);
    chunk.mutable_from_peer()->set_store_id(2);
    chunk.mutable_to_peer()->set_id(101);
    chunk.mutable_to_peer()->set_store_id(1);
    chunk.mutable_message()->set_msg_type(eraftpb::MessageType::MsgSnapshot);
    chunk.mutable_snap_chunk()->set_cf("default");
    chunk.mutable_snap_chunk()->set_data("not what the checksum says");
    chunk.mutable_snap_chunk()->set_checksum(12345);
    EXPECT_TRUE(writer->Write(chunk));
    EXPECT_TRUE(writer->WritesDone());
    EXPECT_TRUE(writer->Finish().ok());
  }
  {
    // A sender that disconnects in the middle of its stream.
    grpc::ClientContext ctx;
    tinykvpb::Done done;
    auto writer = stub->Raft(&ctx, &done);
    raft_serverpb::RaftMessage wrong_store;
    wrong_store.set_region_id(1);
    wrong_store.mutable_to_peer()->set_store_id(8);
    EXPECT_TRUE(writer->Write(wrong_store));
    ctx.TryCancel();
    (void)writer->Finish();
  }
  ASSERT_TRUE(LiveClusterHarness::WaitFor(
      [&] {
        auto s = c.Status(1);
        return s.ok() && s.value().messages_refused() >= 2 && s.value().chunks_refused() >= 1;
      },
      30s))
      << h.Describe() << h.LogTail(1);

  // Still serving, data intact.
  std::optional<std::string> v;
  ASSERT_TRUE(c.Get("k", &v).ok());
  EXPECT_EQ(v, std::optional<std::string>("v1"));

  // A second server on the same port, or on the first one's data directory, refuses to start
  // and says why.
  auto run = [&](const std::vector<std::string>& args, const std::string& log) {
    std::string cmd = "'" + LiveClusterHarness::ServerPath() + "'";
    for (const auto& a : args) cmd += " '" + a + "'";
    cmd += " > '" + log + "' 2>&1";
    int status = std::system(cmd.c_str());
    std::ifstream in(log);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return std::make_pair(WIFEXITED(status) ? WEXITSTATUS(status) : -1, text);
  };
  const std::string cluster = "--cluster=" + h.cluster().ToString();
  auto [port_rc, port_log] =
      run({"--store-id=1", cluster, "--data-dir=" + root + "/other"}, root + "/port.log");
  EXPECT_EQ(port_rc, 1) << port_log;
  EXPECT_NE(port_log.find("cannot listen"), std::string::npos) << port_log;

  // The data directory of the running store, opened by a second server.
  auto [busy_rc, busy_log] =
      run({"--store-id=1", "--cluster=1=127.0.0.1:0", "--data-dir=" + h.DataDir(1)},
          root + "/busy.log");
  EXPECT_EQ(busy_rc, 1) << busy_log;
  EXPECT_NE(busy_log.find("another tinykv-server"), std::string::npos) << busy_log;

  // A data directory that is a file, and one that holds something else.
  { std::ofstream(root + "/a-file") << "x"; }
  auto [file_rc, file_log] =
      run({"--store-id=1", "--cluster=1=127.0.0.1:0", "--data-dir=" + root + "/a-file"},
          root + "/file.log");
  EXPECT_EQ(file_rc, 1) << file_log;
  EXPECT_NE(file_log.find("not a directory"), std::string::npos) << file_log;
  auto [foreign_rc, foreign_log] =
      run({"--store-id=1", "--cluster=1=127.0.0.1:0", "--data-dir=" + root}, root + "/f.log");
  EXPECT_EQ(foreign_rc, 1) << foreign_log;
  EXPECT_NE(foreign_log.find("refusing to bootstrap"), std::string::npos) << foreign_log;
  // Bad flags.
  auto [flag_rc, flag_log] = run({"--store-id=x"}, root + "/flag.log");
  EXPECT_EQ(flag_rc, 2) << flag_log;

  // SIGTERM stops the store cleanly; it restarts from its engines with the data.
  auto status = h.Stop(1, SIGTERM);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << h.LogTail(1);
  // Stopped, its data directory claimed by store 2 of another cluster.
  auto [dir_rc, dir_log] =
      run({"--store-id=2", "--cluster=1=127.0.0.1:1,2=127.0.0.1:0", "--data-dir=" + h.DataDir(1)},
          root + "/dir.log");
  EXPECT_EQ(dir_rc, 1) << dir_log;
  EXPECT_NE(dir_log.find("holds the data of store 1"), std::string::npos) << dir_log;

  ASSERT_TRUE(h.Start(1));
  ASSERT_TRUE(h.WaitLeader(60s)) << h.Describe() << h.LogTail(1);
  v.reset();
  ASSERT_TRUE(c.Get("k", &v).ok());
  EXPECT_EQ(v, std::optional<std::string>("v1"));
}

}  // namespace
}  // namespace server::testing
