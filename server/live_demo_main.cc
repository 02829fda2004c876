// The live demo (scripts/demo.sh --live, docs/live.md): five tinykv-server processes on
// loopback; clients write through tinykv's client; one store is killed with SIGKILL; the
// writes go on past several log GCs; the store is restarted and catches up by a snapshot.
// Each store's figures are printed as it goes, and the demo ends by checking that every store
// holds the same data and that every acknowledged write reads back. Exit status 0 only if
// all of that happened.

#include <signal.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/live_cluster_harness.h"

namespace {

using namespace std::chrono_literals;
using server::testing::LiveClusterHarness;
using Clock = std::chrono::steady_clock;

const Clock::time_point kStart = Clock::now();

std::string Stamp() {
  char buf[32];
  std::snprintf(buf, sizeof buf, "[%6.2f s] ",
                std::chrono::duration<double>(Clock::now() - kStart).count());
  return buf;
}

void Say(const std::string& s) { std::printf("%s%s\n", Stamp().c_str(), s.c_str()); }

// Writers of unique keys: every acknowledged write is remembered, to be read back at the end.
class Writers {
 public:
  Writers(server::LiveClient& c, int threads) : c_(c) {
    for (int t = 0; t < threads; ++t) threads_.emplace_back([this] { run(); });
  }
  ~Writers() { Stop(); }
  void Stop() {
    stop_.store(true);
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  uint64_t acked() {
    std::lock_guard<std::mutex> lock(mu_);
    return acked_.size();
  }
  uint64_t failed() const { return failed_.load(); }
  std::map<std::string, std::string> Acked() {
    std::lock_guard<std::mutex> lock(mu_);
    return acked_;
  }

 private:
  void run() {
    while (!stop_.load()) {
      const uint64_t n = next_.fetch_add(1);
      char key[32];
      std::snprintf(key, sizeof key, "key%06llu", static_cast<unsigned long long>(n));
      const std::string value = "value-" + std::to_string(n) + std::string(200, 'v');
      if (c_.Put(key, value).ok()) {
        std::lock_guard<std::mutex> lock(mu_);
        acked_[key] = value;
      } else {
        failed_.fetch_add(1);
      }
    }
  }
  server::LiveClient& c_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> next_{0};
  std::atomic<uint64_t> failed_{0};
  std::mutex mu_;
  std::map<std::string, std::string> acked_;
  std::vector<std::thread> threads_;
};

void Figures(LiveClusterHarness& h, uint64_t writes, uint64_t killed) {
  std::printf("%safter %llu acknowledged writes — per store:\n", Stamp().c_str(),
              static_cast<unsigned long long>(writes));
  for (const auto& [id, addr] : h.cluster().stores) {
    auto s = h.client().Status(id);
    if (!s.ok()) {
      std::printf("           store %llu: %s\n", static_cast<unsigned long long>(id),
                  id == killed ? "down (killed with SIGKILL)" : "not answering");
      continue;
    }
    const auto& v = s.value();
    std::printf(
        "           store %llu: %-9s term %3llu  applied %6llu  truncated %6llu  log entries "
        "kept %5llu  raft engine %6.2f MB  snapshots sent %llu applied %llu\n",
        static_cast<unsigned long long>(id), v.role().c_str(),
        static_cast<unsigned long long>(v.term()),
        static_cast<unsigned long long>(v.applied_index()),
        static_cast<unsigned long long>(v.truncated_index()),
        static_cast<unsigned long long>(
            v.last_index() >= v.truncated_index() ? v.last_index() - v.truncated_index() : 0),
        static_cast<double>(v.raft_engine_bytes()) / 1e6,
        static_cast<unsigned long long>(v.snapshots_sent()),
        static_cast<unsigned long long>(v.snapshots_applied()));
  }
}

uint64_t Field(LiveClusterHarness& h, uint64_t id,
               uint64_t (tinykvpb::StatusResponse::*f)() const) {
  auto s = h.client().Status(id);
  return s.ok() ? (s.value().*f)() : 0;
}

int Fail(LiveClusterHarness& h, const std::string& why) {
  std::printf("%sDEMO FAILED: %s\n%s", Stamp().c_str(), why.c_str(), h.Describe().c_str());
  return 1;
}

int Run() {
  const uint64_t kGcLimit = 100;
  char tmpl[] = "/tmp/tinykv-live-demo-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  const std::string root = tmpl;
  std::printf("== The live cluster: 5 tinykv-server processes on loopback, RocksDB on disk ==\n");
  std::printf(
      "Scratch directory %s (store logs there). A leader compacts its log once %llu\n"
      "applied entries pile up (checked every 500 ms); snapshots travel in 64 KiB "
      "chunks over gRPC.\n",
      root.c_str(), static_cast<unsigned long long>(kGcLimit));
  int rc = 0;
  {
    LiveClusterHarness h(
        5, root,
        {"--raft-base-tick-ms=100", "--raft-log-gc-tick-ms=500",
         "--raft-log-gc-count-limit=" + std::to_string(kGcLimit), "--snap-chunk-size=65536"});
    if (!h.StartAll()) return Fail(h, "cannot start the servers");
    auto leader = h.WaitLeader(60s);
    if (!leader) return Fail(h, "no leader within 60 s");
    Say("store " + std::to_string(*leader) + " leads region 1");

    Writers w(h.client(), 4);
    if (!LiveClusterHarness::WaitFor([&] { return w.acked() >= 300; }, 120s)) {
      return Fail(h, "the clients could not write 300 times in 120 s");
    }
    Figures(h, w.acked(), 0);

    leader = h.WaitLeader(30s);
    if (!leader) return Fail(h, "no leader");
    uint64_t victim = 0;
    for (const auto& [id, addr] : h.cluster().stores) {
      if (id != *leader) victim = id;
    }
    const uint64_t victim_applied = Field(h, victim, &tinykvpb::StatusResponse::applied_index);
    h.Stop(victim, SIGKILL);
    Say("store " + std::to_string(victim) + " killed with SIGKILL at applied index " +
        std::to_string(victim_applied) + "; the clients keep writing");

    // Past several log GCs: until the leader's log starts three GC rounds past the victim.
    for (int round = 1;; ++round) {
      const uint64_t target = victim_applied + 3 * kGcLimit;
      uint64_t truncated = 0;
      const bool past = LiveClusterHarness::WaitFor(
          [&] {
            auto l = h.WaitLeader(10s);
            truncated = l ? Field(h, *l, &tinykvpb::StatusResponse::truncated_index) : 0;
            return truncated > victim_applied + round * kGcLimit || truncated > target;
          },
          120s);
      if (!past) return Fail(h, "the log was not compacted within 120 s");
      Figures(h, w.acked(), victim);
      if (truncated > target) break;
    }
    leader = h.WaitLeader(30s);
    if (!leader) return Fail(h, "no leader");
    Say("the leader's log now starts at " +
        std::to_string(Field(h, *leader, &tinykvpb::StatusResponse::first_index)) + ", past " +
        std::to_string(victim_applied) + ": appends can't bring store " + std::to_string(victim) +
        " back, only a snapshot");

    h.Start(victim);
    const auto restarted = Clock::now();
    Say("store " + std::to_string(victim) + " restarted from its engines");
    const bool caught_up = LiveClusterHarness::WaitFor(
        [&] {
          auto s = h.client().Status(victim);
          auto l = h.WaitLeader(10s);
          return s.ok() && l && s.value().snapshots_applied() > 0 &&
                 s.value().applied_index() >=
                     Field(h, *l, &tinykvpb::StatusResponse::truncated_index);
        },
        120s);
    if (!caught_up) return Fail(h, "the restarted store did not catch up within 120 s");
    char buf[128];
    std::snprintf(buf, sizeof buf, "store %llu caught up by a snapshot in %.2f s",
                  static_cast<unsigned long long>(victim),
                  std::chrono::duration<double>(Clock::now() - restarted).count());
    Say(buf);
    Figures(h, w.acked(), 0);

    w.Stop();
    const auto acked = w.Acked();
    Say("the clients stop: " + std::to_string(acked.size()) + " writes acknowledged, " +
        std::to_string(w.failed()) + " given up");

    // Every store: the same data at the same applied index.
    std::string table;
    const bool same = LiveClusterHarness::WaitFor(
        [&] {
          table.clear();
          std::optional<std::pair<uint64_t, uint64_t>> first;
          bool equal = true;
          for (const auto& [id, addr] : h.cluster().stores) {
            auto s = h.client().Status(id, true);
            if (!s.ok()) return false;
            char line[160];
            std::snprintf(line, sizeof line,
                          "           store %llu: applied %llu, %llu keys, digest %016llx\n",
                          static_cast<unsigned long long>(id),
                          static_cast<unsigned long long>(s.value().applied_index()),
                          static_cast<unsigned long long>(s.value().data_keys()),
                          static_cast<unsigned long long>(s.value().data_digest()));
            table += line;
            auto mine = std::make_pair(s.value().applied_index(), s.value().data_digest());
            if (first && *first != mine) equal = false;
            if (!first) first = mine;
          }
          return equal;
        },
        60s);
    std::printf("%s", table.c_str());
    if (!same) return Fail(h, "the stores' data differ");
    Say("all 5 stores hold the same data");

    uint64_t lost = 0;
    for (const auto& [key, value] : acked) {
      std::optional<std::string> got;
      if (!h.client().Get(key, &got).ok() || got != value) {
        if (++lost <= 5) std::printf("           lost: %s\n", key.c_str());
      }
    }
    if (lost > 0) return Fail(h, std::to_string(lost) + " acknowledged writes do not read back");
    Say("every acknowledged write (" + std::to_string(acked.size()) + ") reads back");

    for (const auto& [id, addr] : h.cluster().stores) h.Stop(id, SIGTERM);
    std::printf("DEMO OK\n");
  }
  const std::string rm = "rm -rf '" + root + "'";
  if (std::system(rm.c_str()) != 0) rc = 1;
  return rc;
}

}  // namespace

int main() { return Run(); }
