// bazel run --config=reference //demo:raft_demo [-- --seed=N] [--trace]
// Prints the timeline of the demo scenario (see docs/demo.md); exits 1 if it did not happen.
// --trace adds every event of the run (messages delivered, lost, …) at the end.

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "demo/raft_demo.h"

int main(int argc, char** argv) {
  demo::DemoOptions options;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--trace") == 0) {
      options.full_trace = true;
    } else if (std::strncmp(argv[i], "--seed=", 7) == 0) {
      char* end = nullptr;
      options.seed = std::strtoull(argv[i] + 7, &end, 10);
      if (*end != '\0') {
        std::cerr << "raft_demo: --seed wants a number, got \"" << argv[i] + 7 << "\"\n";
        return 2;
      }
    } else {
      std::cerr << "usage: raft_demo [--seed=N] [--trace]\n";
      return 2;
    }
  }
  const demo::DemoResult r = demo::RunRaftDemo(std::cout, options);
  return r.ok ? 0 : 1;
}
