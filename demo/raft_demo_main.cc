// bazel run --config=reference //demo:raft_demo [-- --seed=N] [--timeline=FILE] [--trace]
// Prints the timeline of the demo scenario (see docs/demo.md); exits 1 if it did not happen.
// --trace adds every event of the run (messages delivered, lost, …) at the end.

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "demo/raft_demo.h"
#include "timeline/session.h"

int main(int argc, char** argv) {
  demo::DemoOptions options;
  std::string timeline_file;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--timeline=", 11) == 0) {
      timeline_file = argv[i] + 11;
      continue;
    }
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
      std::cerr << "usage: raft_demo [--seed=N] [--trace] [--timeline=FILE]\n";
      return 2;
    }
  }
  // --timeline=FILE: record the run and draw it as one HTML page.
  if (!timeline_file.empty()) timeline::SetEnabled(true);
  const demo::DemoResult r = demo::RunRaftDemo(std::cout, options);
  if (!timeline_file.empty()) {
    std::string error;
    const std::string path = timeline::WriteChosenPageTo(timeline_file, &error);
    if (path.empty()) {
      std::cerr << "raft_demo: no timeline written: " << error << "\n";
      return 1;
    }
    std::cout << "timeline: " << path << " — open it in a browser\n";
  }
  return r.ok ? 0 : 1;
}
