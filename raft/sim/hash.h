#pragma once

// Small, platform-independent hashing and seed derivation for the simulation. std::hash and
// the <random> distributions differ between standard libraries; these do not, so a seed
// replays the same run on any machine.

#include <cstdint>
#include <string_view>

namespace raft::sim {

// FNV-1a over bytes: identifies an entry's payload in log views and state digests.
inline uint64_t HashBytes(std::string_view data) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : data) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

// splitmix64's finalizer: spreads consecutive inputs over the whole 64-bit range.
inline uint64_t Mix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Combines two values into one; order matters (Combine(a, b) != Combine(b, a)).
inline uint64_t Combine(uint64_t a, uint64_t b) { return Mix64(a ^ Mix64(b)); }

// An independent seed for one part of a run (the network, node 3's timers …) from the run's
// seed and a small tag, so that the parts don't share a random sequence.
inline uint64_t DeriveSeed(uint64_t seed, uint64_t tag) { return Combine(seed, tag + 1); }

}  // namespace raft::sim
