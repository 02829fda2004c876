// bazel run --config=reference //demo:raftstore_demo [-- --seed=N] [--timeline=FILE]
// The second part of the demo (see docs/demo.md): the raftstore with log GC and snapshots.
// Exits 1 if the story did not happen.

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "demo/raftstore_demo.h"
#include "timeline/session.h"

int main(int argc, char** argv) {
  demo::RaftstoreDemoOptions options;
  std::string timeline_file;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--timeline=", 11) == 0) {
      timeline_file = argv[i] + 11;
      continue;
    }
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
      std::cerr << "usage: raftstore_demo [--seed=N] [--timeline=FILE]\n";
      return 2;
    }
  }
  // --timeline=FILE: record the run and draw it as one HTML page.
  if (!timeline_file.empty()) timeline::SetEnabled(true);
  const demo::RaftstoreDemoResult r = demo::RunRaftstoreDemo(std::cout, options);
  if (!timeline_file.empty()) {
    std::string error;
    const std::string path = timeline::WriteChosenPageTo(timeline_file, &error);
    if (path.empty()) {
      std::cerr << "raftstore_demo: no timeline written: " << error << "\n";
      return 1;
    }
    std::cout << "timeline: " << path << " — open it in a browser\n";
  }
  return r.ok ? 0 : 1;
}
