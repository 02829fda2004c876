#include "server/live_cluster_harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <deque>
#include <fstream>
#include <thread>

namespace server::testing {

namespace {

// Free loopback ports, all bound at once (so the kernel never hands out the same one twice)
// and released together just before the servers bind them.
std::vector<int> FreePorts(int n) {
  std::vector<int> fds, ports;
  for (int i = 0; i < n; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ports.push_back(0);
    } else {
      ports.push_back(ntohs(addr.sin_port));
    }
    fds.push_back(fd);
  }
  for (int fd : fds) {
    if (fd >= 0) ::close(fd);
  }
  return ports;
}

}  // namespace

LiveClusterHarness::LiveClusterHarness(int stores, std::string root,
                                       std::vector<std::string> extra_flags)
    : n_(stores), root_(std::move(root)), flags_(std::move(extra_flags)) {
  std::vector<int> ports = FreePorts(n_);
  for (int i = 1; i <= n_; ++i) {
    cluster_.stores[static_cast<uint64_t>(i)] = "127.0.0.1:" + std::to_string(ports[i - 1]);
  }
  ClientOptions co;
  co.op_timeout = std::chrono::milliseconds(15'000);
  co.rpc_timeout = std::chrono::milliseconds(5'000);
  client_ = std::make_unique<LiveClient>(cluster_, co);
}

LiveClusterHarness::~LiveClusterHarness() {
  std::vector<uint64_t> ids;
  for (const auto& [id, pid] : pids_) ids.push_back(id);
  for (uint64_t id : ids) Stop(id, SIGKILL);
}

std::string LiveClusterHarness::ServerPath() {
  if (const char* p = std::getenv("TINYKV_SERVER"); p != nullptr && *p) return p;
  return "server/tinykv-server";
}

std::string LiveClusterHarness::DataDir(uint64_t id) const {
  return root_ + "/store" + std::to_string(id);
}

std::string LiveClusterHarness::LogPath(uint64_t id) const {
  return root_ + "/store" + std::to_string(id) + ".log";
}

std::string LiveClusterHarness::LogTail(uint64_t id, int lines) const {
  std::ifstream in(LogPath(id));
  std::deque<std::string> tail;
  std::string line;
  while (std::getline(in, line)) {
    tail.push_back(line);
    if (static_cast<int>(tail.size()) > lines) tail.pop_front();
  }
  std::string out = "--- last lines of " + LogPath(id) + " ---\n";
  for (const auto& l : tail) out += l + "\n";
  return out;
}

bool LiveClusterHarness::Start(uint64_t id, const std::vector<std::string>& more_flags) {
  if (Running(id)) return true;
  std::vector<std::string> args = {ServerPath(), "--store-id=" + std::to_string(id),
                                   "--cluster=" + cluster_.ToString(), "--data-dir=" + DataDir(id)};
  args.insert(args.end(), flags_.begin(), flags_.end());
  args.insert(args.end(), more_flags.begin(), more_flags.end());
  const std::string log = LogPath(id);
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) return false;
  if (pid == 0) {
    // The child: its own process group, killed if the test dies, output to its log.
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::close(fd);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  pids_[id] = pid;
  return true;
}

bool LiveClusterHarness::StartAll() {
  for (const auto& [id, addr] : cluster_.stores) {
    if (!Start(id)) return false;
  }
  return true;
}

std::optional<int> LiveClusterHarness::Stop(uint64_t id, int sig, std::chrono::milliseconds wait) {
  auto it = pids_.find(id);
  if (it == pids_.end()) return std::nullopt;
  const pid_t pid = it->second;
  ::kill(pid, sig);
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid || r < 0) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  pids_.erase(it);
  return status;
}

bool LiveClusterHarness::WaitFor(const std::function<bool()>& cond,
                                 std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (cond()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::optional<uint64_t> LiveClusterHarness::WaitLeader(std::chrono::milliseconds timeout) {
  std::optional<uint64_t> leader;
  WaitFor(
      [&] {
        leader.reset();
        for (const auto& [id, pid] : pids_) {
          auto s = client_->Status(id);
          if (!s.ok() || s.value().leader_store_id() == 0) return false;
          if (leader && *leader != s.value().leader_store_id()) return false;
          leader = s.value().leader_store_id();
        }
        if (!leader) return false;
        auto ls = client_->Status(*leader);
        return ls.ok() && ls.value().role() == "leader";
      },
      timeout);
  return leader;
}

std::string LiveClusterHarness::Describe() {
  std::string out;
  for (const auto& [id, addr] : cluster_.stores) {
    auto s = client_->Status(id);
    out += "store " + std::to_string(id) + ": ";
    if (!s.ok()) {
      out += Running(id) ? "not answering (" + s.status().message() + ")" : "down";
    } else {
      const auto& v = s.value();
      out += v.role() + " term " + std::to_string(v.term()) + " leader " +
             std::to_string(v.leader_store_id()) + " applied " + std::to_string(v.applied_index()) +
             " truncated " + std::to_string(v.truncated_index()) + " last " +
             std::to_string(v.last_index()) + " snapshots applied " +
             std::to_string(v.snapshots_applied());
    }
    out += "\n";
  }
  return out;
}

}  // namespace server::testing
