// bazel run --config=reference //demo:raftstore_demo [-- --seed=N]
// The second part of the demo (see docs/demo.md): the raftstore with log GC and snapshots.
// Exits 1 if the story did not happen.

#include <cstdlib>
#include <cstring>
#include <iostream>

#include "demo/raftstore_demo.h"

int main(int argc, char** argv) {
  demo::RaftstoreDemoOptions options;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--seed=", 7) == 0) {
      char* end = nullptr;
      options.seed = std::strtoull(argv[i] + 7, &end, 10);
      if (*end != '\0') {
        std::cerr << "raftstore_demo: --seed wants a number\n";
        return 2;
      }
    } else if (std::strcmp(argv[i], "--trace") == 0) {
      // Accepted for symmetry with raft_demo (scripts/demo.sh passes its arguments to both).
    } else {
      std::cerr << "usage: raftstore_demo [--seed=N]\n";
      return 2;
    }
  }
  const demo::RaftstoreDemoResult r = demo::RunRaftstoreDemo(std::cout, options);
  return r.ok ? 0 : 1;
}
