#include "timeline/output.h"

#include <cstdlib>
#include <fstream>

#include "timeline/render.h"

namespace timeline {

std::string WritePage(const Recorder& rec, const std::string& name, std::string* error) {
  const char* dir = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR");
  std::string base = (dir != nullptr && *dir != '\0') ? std::string(dir) + "/" : "";
  std::string path = base + (name.empty() ? "timeline.html" : "timeline-" + name + ".html");
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    if (error != nullptr) *error = "cannot open " + path + " for writing";
    return "";
  }
  out << RenderHtml(rec);
  out.close();
  if (!out) {
    if (error != nullptr) *error = "cannot write " + path;
    return "";
  }
  return path;
}

std::string WritePageTo(const Recorder& rec, const std::string& path, std::string* error) {
  std::string full = path;
  const char* cwd = std::getenv("BUILD_WORKING_DIRECTORY");  // set by `bazel run`
  if (!full.empty() && full[0] != '/' && cwd != nullptr && *cwd != '\0') {
    full = std::string(cwd) + "/" + full;
  }
  std::ofstream out(full, std::ios::binary | std::ios::trunc);
  if (!out) {
    if (error != nullptr) *error = "cannot open " + full + " for writing";
    return "";
  }
  out << RenderHtml(rec);
  out.close();
  if (!out) {
    if (error != nullptr) *error = "cannot write " + full;
    return "";
  }
  return full;
}

std::string WhereToOpen(const std::string& path) {
  return "timeline: " + path + "\n  open it in a browser: xdg-open " + path;
}

}  // namespace timeline
