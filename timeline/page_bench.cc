// How big and how slow the page of a big recording is: page bytes, render time, bytes per
// message, for the synthetic 300k-message run (samples::BigRun) and a few smaller ones.
//   bazel run --config=reference //timeline:page_bench [-- MESSAGES...]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "timeline/render.h"
#include "timeline/samples.h"

int main(int argc, char** argv) {
  std::vector<size_t> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(std::strtoull(argv[i], nullptr, 10));
  if (sizes.empty()) sizes = {10000, 100000, 300000};
  std::printf("%10s %10s %12s %10s %12s %14s\n", "messages", "embedded", "page bytes", "render ms",
              "bytes/msg", "bytes/embedded");
  for (size_t n : sizes) {
    timeline::Recorder rec = timeline::samples::BigRun(n);
    std::vector<double> ms;
    std::string html;
    for (int run = 0; run < 5; ++run) {
      auto start = std::chrono::steady_clock::now();
      html = timeline::RenderHtml(rec);
      auto stop = std::chrono::steady_clock::now();
      ms.push_back(std::chrono::duration<double, std::milli>(stop - start).count());
    }
    std::sort(ms.begin(), ms.end());
    size_t embedded = std::min(rec.messages().size(), timeline::PageLimits::Default().max_messages);
    std::printf("%10zu %10zu %12zu %10.1f %12.1f %14.1f\n", rec.messages().size(), embedded,
                html.size(), ms[ms.size() / 2], double(html.size()) / rec.messages().size(),
                double(html.size()) / embedded);
  }
  std::printf("render ms: median of 5 runs\n");
  return 0;
}
