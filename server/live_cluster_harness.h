#pragma once

// LiveClusterHarness: real tinykv-server processes on loopback for the integration tests.
// Ports are picked free by the kernel (bind to port 0 and read it back, all stores' at once);
// each server runs in a process group of its own, dies with the test process
// (PR_SET_PDEATHSIG) and is killed and reaped by the harness on every exit path (destructor).
// Everything waits by polling a condition against a deadline, never by a fixed sleep.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/cluster_config.h"
#include "server/live_client.h"

namespace server::testing {

class LiveClusterHarness {
 public:
  // `stores` servers with data directories under `root`, started with `extra_flags`.
  LiveClusterHarness(int stores, std::string root, std::vector<std::string> extra_flags);
  // Kills (SIGKILL) and reaps every server still running.
  ~LiveClusterHarness();

  // The tinykv-server binary: $TINYKV_SERVER, or server/tinykv-server in the runfiles.
  static std::string ServerPath();

  const ClusterConfig& cluster() const { return cluster_; }
  LiveClient& client() { return *client_; }
  std::string DataDir(uint64_t id) const;
  std::string LogPath(uint64_t id) const;
  // The last `lines` lines of a server's log, for failure messages.
  std::string LogTail(uint64_t id, int lines = 30) const;

  // Starts a server (its output goes to LogPath). False if it could not be started.
  bool Start(uint64_t id, const std::vector<std::string>& more_flags = {});
  bool StartAll();
  // Sends `sig` and reaps the process, waiting up to `wait` (then SIGKILL). Returns the exit
  // status as waitpid reports it, or nullopt if the store was not running.
  std::optional<int> Stop(uint64_t id, int sig,
                          std::chrono::milliseconds wait = std::chrono::milliseconds(20'000));
  bool Running(uint64_t id) const { return pids_.count(id) > 0; }

  // Polls `cond` every 50 ms until it holds or `timeout` passes.
  static bool WaitFor(const std::function<bool()>& cond, std::chrono::milliseconds timeout);
  // The store every running store agrees leads the region, once they all do.
  std::optional<uint64_t> WaitLeader(std::chrono::milliseconds timeout);
  // "store 1: leader term 3 applied 57 ...; store 2: down" — for failure messages.
  std::string Describe();

 private:
  int n_;
  std::string root_;
  std::vector<std::string> flags_;
  ClusterConfig cluster_;
  std::unique_ptr<LiveClient> client_;
  std::map<uint64_t, pid_t> pids_;
};

}  // namespace server::testing
