#pragma once

// Where a test's timeline goes: `timeline.html` (or `timeline-<name>.html` when one test
// writes several) in Bazel's undeclared outputs ($TEST_UNDECLARED_OUTPUTS_DIR, which lands in
// bazel-testlogs/<target>/test.outputs/), or the working directory outside Bazel.

#include <string>

#include "timeline/recorder.h"

namespace timeline {

// Renders `rec` and writes it; returns the path written, or "" (with a reason in *error) on
// failure.
std::string WritePage(const Recorder& rec, const std::string& name, std::string* error);

// Renders `rec` into `path` (relative paths: from where `bazel run` was started, if it was);
// returns the path written, or "" (with a reason in *error).
std::string WritePageTo(const Recorder& rec, const std::string& path, std::string* error);

// For a failure message: "timeline: <path>\n  open it: xdg-open <path> (or any browser)".
std::string WhereToOpen(const std::string& path);

}  // namespace timeline
