#include "server/bench.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <random>
#include <thread>

namespace server {

namespace {

double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

}  // namespace

BenchResult RunBench(LiveClient& client, const BenchOptions& o) {
  using Clock = std::chrono::steady_clock;
  std::mutex mu;
  std::vector<double> latencies;
  uint64_t errors = 0;
  const double cpu0 = CpuSeconds();
  const auto start = Clock::now();
  const auto end =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));
  std::vector<std::thread> threads;
  for (int c = 0; c < o.clients; ++c) {
    threads.emplace_back([&, c] {
      std::mt19937_64 rng(static_cast<uint64_t>(c) * 7919 + 17);
      std::vector<double> mine;
      uint64_t my_errors = 0;
      const std::string value(o.value_size, static_cast<char>('a' + c % 26));
      while (Clock::now() < end) {
        char key[32];
        std::snprintf(key, sizeof key, "bench%08llu",
                      static_cast<unsigned long long>(rng() % o.keys));
        const bool read = static_cast<int>(rng() % 100) < o.read_percent;
        const auto t0 = Clock::now();
        Outcome out;
        if (read) {
          std::optional<std::string> v;
          out = client.Get(key, &v);
        } else {
          out = client.Put(key, value);
        }
        const auto t1 = Clock::now();
        if (out.ok()) {
          mine.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
        } else {
          ++my_errors;
        }
      }
      std::lock_guard<std::mutex> lock(mu);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
      errors += my_errors;
    });
  }
  for (auto& t : threads) t.join();
  BenchResult r;
  r.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.client_cpu_seconds = CpuSeconds() - cpu0;
  r.ops = latencies.size();
  r.errors = errors;
  if (!latencies.empty()) {
    std::sort(latencies.begin(), latencies.end());
    auto at = [&](double q) {
      size_t i = static_cast<size_t>(q * static_cast<double>(latencies.size() - 1));
      return latencies[i];
    };
    r.p50_us = at(0.50);
    r.p99_us = at(0.99);
    r.max_us = latencies.back();
  }
  return r;
}

std::string BenchResult::ToString(const BenchOptions& o) const {
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "clients %d, %.1f s, %d%% reads, %llu keys, %llu-byte values\n"
                "ops %llu  ops/s %.0f  p50 %.2f ms  p99 %.2f ms  max %.2f ms  errors %llu  "
                "client cpu %.1f s\n",
                o.clients, wall_seconds, o.read_percent, static_cast<unsigned long long>(o.keys),
                static_cast<unsigned long long>(o.value_size), static_cast<unsigned long long>(ops),
                ops_per_second(), p50_us / 1000, p99_us / 1000, max_us / 1000,
                static_cast<unsigned long long>(errors), client_cpu_seconds);
  return buf;
}

}  // namespace server
