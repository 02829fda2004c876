#pragma once

// tinykv-ctl bench: N client threads, each issuing one request at a time (a put, or a get
// with --read-percent) on random keys for T seconds; every answered request's latency is
// kept, and an operation that failed after its retries counts as an error.

#include <cstdint>
#include <string>
#include <vector>

#include "server/live_client.h"

namespace server {

struct BenchOptions {
  int clients = 8;
  double seconds = 10;
  uint64_t keys = 1000;
  uint64_t value_size = 100;
  int read_percent = 0;
};

struct BenchResult {
  uint64_t ops = 0;
  uint64_t errors = 0;
  double wall_seconds = 0;
  // Latency of answered operations, microseconds.
  double p50_us = 0, p99_us = 0, max_us = 0;
  // This process's CPU time (user + system), seconds: the client's share of the machine.
  double client_cpu_seconds = 0;

  double ops_per_second() const { return wall_seconds > 0 ? ops / wall_seconds : 0; }
  std::string ToString(const BenchOptions& o) const;
};

BenchResult RunBench(LiveClient& client, const BenchOptions& options);

}  // namespace server
