// tinykv-ctl: the live cluster's command-line client (docs/live.md).
//
//   tinykv-ctl --cluster LIST|@FILE put KEY VALUE | get KEY | delete KEY | scan [START] |
//              status | bench [--clients N] [--seconds T] ...

#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>

#include "server/bench.h"
#include "server/flags.h"
#include "server/live_client.h"
#include "server/status_table.h"

namespace {

const char kUsage[] =
    "usage: tinykv-ctl --cluster LIST|@FILE [--timeout-ms N] [--cf CF] COMMAND\n"
    "  put KEY VALUE      write through the leader (following leader hints, retrying)\n"
    "  get KEY            read (linearizable: through the Raft log)\n"
    "  delete KEY\n"
    "  scan [START]       the pairs with keys >= START (--limit N, default 100)\n"
    "  status             every store in one table (a store that does not answer is 'down')\n"
    "  bench              N concurrent clients for T seconds: ops/s, latency p50/p99/max,\n"
    "                     errors (--clients 8 --seconds 10 --keys 1000 --value-size 100\n"
    "                     --read-percent 0)\n"
    "--cluster is the list the servers were started with, e.g.\n"
    "  1=127.0.0.1:20161,2=127.0.0.1:20162,3=127.0.0.1:20163  (or @FILE: 'id host:port' lines)\n"
    "Exit status: 0 done, 1 the cluster did not do it (the error is printed), 2 bad usage;\n"
    "get of a missing key prints (not found) and exits 3.\n";

int Usage(const std::string& why) {
  std::fprintf(stderr, "tinykv-ctl: %s\n%s", why.c_str(), kUsage);
  return 2;
}

int Fail(const server::Outcome& o) {
  std::fprintf(stderr, "tinykv-ctl: %s\n", o.status.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::fputs(kUsage, stdout);
      return 0;
    }
  }
  server::Flags f({"cluster", "timeout-ms", "cf", "limit", "clients", "seconds", "keys",
                   "value-size", "read-percent"},
                  {});
  if (kv::Status s = f.Parse(argc, argv); !s.ok()) return Usage(s.message());
  const auto& args = f.positional();
  if (args.empty()) return Usage("no command");
  std::string spec = f.Get("cluster");
  if (spec.empty()) {
    const char* env = std::getenv("TINYKV_CLUSTER");
    if (env != nullptr) spec = env;
  }
  if (spec.empty()) return Usage("--cluster is required (or set TINYKV_CLUSTER)");
  auto cluster = server::ClusterConfig::Parse(spec);
  if (!cluster.ok()) return Usage(cluster.status().message());
  server::ClientOptions co;
  auto timeout = f.GetUint("timeout-ms", 10'000);
  if (!timeout.ok()) return Usage(timeout.status().message());
  co.op_timeout = std::chrono::milliseconds(timeout.value());
  server::LiveClient client(cluster.value(), co);
  const std::string cf = f.Get("cf", "default");
  const std::string& cmd = args[0];

  auto want_args = [&](size_t lo, size_t hi) { return args.size() >= lo && args.size() <= hi; };
  if (cmd == "put") {
    if (!want_args(3, 3)) return Usage("put needs KEY VALUE");
    auto o = client.Put(args[1], args[2], cf);
    if (!o.ok()) return Fail(o);
    std::printf("OK (store %llu)\n", static_cast<unsigned long long>(o.store));
    return 0;
  }
  if (cmd == "get") {
    if (!want_args(2, 2)) return Usage("get needs KEY");
    std::optional<std::string> value;
    auto o = client.Get(args[1], &value, cf);
    if (!o.ok()) return Fail(o);
    if (!value) {
      std::printf("(not found)\n");
      return 3;
    }
    std::printf("%s\n", value->c_str());
    return 0;
  }
  if (cmd == "delete") {
    if (!want_args(2, 2)) return Usage("delete needs KEY");
    auto o = client.Delete(args[1], cf);
    if (!o.ok()) return Fail(o);
    std::printf("OK (store %llu)\n", static_cast<unsigned long long>(o.store));
    return 0;
  }
  if (cmd == "scan") {
    if (!want_args(1, 2)) return Usage("scan takes at most START");
    auto limit = f.GetUint("limit", 100);
    if (!limit.ok()) return Usage(limit.status().message());
    std::vector<std::pair<std::string, std::string>> kvs;
    auto o =
        client.Scan(args.size() > 1 ? args[1] : "", static_cast<uint32_t>(limit.value()), &kvs, cf);
    if (!o.ok()) return Fail(o);
    for (const auto& [k, v] : kvs) std::printf("%s\t%s\n", k.c_str(), v.c_str());
    std::printf("(%zu pairs)\n", kvs.size());
    return 0;
  }
  if (cmd == "status") {
    if (!want_args(1, 1)) return Usage("status takes no argument");
    std::cout << server::StatusTable(client, false);
    return 0;
  }
  if (cmd == "bench") {
    if (!want_args(1, 1)) return Usage("bench takes flags only");
    server::BenchOptions b;
    auto clients = f.GetUint("clients", 8);
    auto seconds = f.GetUint("seconds", 10);
    auto keys = f.GetUint("keys", 1000);
    auto size = f.GetUint("value-size", 100);
    auto reads = f.GetUint("read-percent", 0);
    for (auto* r : {&clients, &seconds, &keys, &size, &reads}) {
      if (!r->ok()) return Usage(r->status().message());
    }
    if (clients.value() == 0 || keys.value() == 0 || reads.value() > 100) {
      return Usage("--clients and --keys must be positive, --read-percent at most 100");
    }
    b.clients = static_cast<int>(clients.value());
    b.seconds = static_cast<double>(seconds.value());
    b.keys = keys.value();
    b.value_size = size.value();
    b.read_percent = static_cast<int>(reads.value());
    server::BenchResult r = server::RunBench(client, b);
    std::cout << r.ToString(b);
    return r.ops == 0 ? 1 : 0;
  }
  return Usage("unknown command '" + cmd + "'");
}
