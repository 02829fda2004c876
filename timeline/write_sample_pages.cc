// Writes the sample pages the browser test opens: small.html, big.html (300k messages),
// broken.html (a failing run) and empty.html into the directory given as the only argument.
#include <cstdio>
#include <fstream>
#include <string>

#include "timeline/render.h"
#include "timeline/samples.h"

namespace {

bool Write(const std::string& path, const std::string& html) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << html;
  out.close();
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    return false;
  }
  std::printf("%s: %zu bytes\n", path.c_str(), html.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  std::string dir = argv[1];
  bool ok = Write(dir + "/small.html", timeline::RenderHtml(timeline::samples::SmallRun()));
  ok = Write(dir + "/big.html", timeline::RenderHtml(timeline::samples::BigRun())) && ok;
  ok = Write(dir + "/broken.html", timeline::RenderHtml(timeline::samples::BrokenRun())) && ok;
  // Nothing recorded at all: the page must still open without a script error.
  ok = Write(dir + "/empty.html", timeline::RenderHtml(timeline::Recorder("empty"))) && ok;
  return ok ? 0 : 1;
}
