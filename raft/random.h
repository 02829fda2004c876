#pragma once

#include <cstdint>
#include <random>

namespace raft {

// The only source of randomness in the Raft library, seeded from Config::random_seed so that
// a test run can be replayed exactly.
class Random {
 public:
  explicit Random(uint64_t seed) : engine_(seed) {}
  // A number in [0, n). n must be > 0.
  uint64_t Intn(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(engine_); }
  void Seed(uint64_t seed) { engine_.seed(seed); }

 private:
  std::mt19937_64 engine_;
};

}  // namespace raft
