#pragma once

// The simulation's random source. mt19937_64's output sequence is fixed by the C++ standard;
// the mapping to ranges below is our own (std::uniform_*_distribution is not portable), so a
// seed gives the same run with any compiler and standard library.

#include <cstdint>
#include <random>

namespace raft::sim {

class SimRandom {
 public:
  explicit SimRandom(uint64_t seed) : engine_(seed) {}

  uint64_t Next() { return engine_(); }
  // A number in [0, n); 0 when n == 0. The modulo bias is irrelevant at these sizes.
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : engine_() % n; }
  // A number in [lo, hi].
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }
  // A double in [0, 1).
  double Unit() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  // True with probability p.
  bool Chance(double p) { return p > 0 && Unit() < p; }

 private:
  std::mt19937_64 engine_;
};

}  // namespace raft::sim
