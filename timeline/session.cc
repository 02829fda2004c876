#include "timeline/session.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include "timeline/output.h"

namespace timeline {

namespace {

struct Run {
  std::unique_ptr<Recorder> rec;
  std::function<Time()> clock;  // empty once the run ended
};

struct Session {
  std::vector<Run> runs;
  uint64_t started = 0;
};

Session& S() {
  static Session* s = new Session;  // never destroyed: runs may end during static teardown
  return *s;
}

Run* Find(const Recorder* rec) {
  for (Run& r : S().runs) {
    if (r.rec.get() == rec) return &r;
  }
  return nullptr;
}

}  // namespace

bool Enabled() {
  static const bool on = [] {
    const char* v = std::getenv("TINYKV_TIMELINE");
    return v != nullptr && *v != '\0' && std::strcmp(v, "0") != 0;
  }();
  return on;
}

Recorder* StartRun(std::string title, TimeUnit unit, std::string lane_noun,
                   std::function<Time()> clock) {
  ++S().started;
  if (!Enabled()) return nullptr;
  Run r;
  r.rec = std::make_unique<Recorder>(std::move(title), std::move(unit));
  r.rec->set_lane_noun(std::move(lane_noun));
  r.clock = std::move(clock);
  S().runs.push_back(std::move(r));
  return S().runs.back().rec.get();
}

void EndRun(Recorder* rec) {
  if (rec == nullptr) return;
  if (Run* r = Find(rec)) r->clock = nullptr;
}

uint64_t RunsStarted() { return S().started; }

void FailCurrent(const std::string& title, const std::string& text) {
  auto& runs = S().runs;
  if (runs.empty()) return;
  Run* target = &runs.back();
  for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
    if (it->clock) {
      target = &*it;
      break;
    }
  }
  const Time t = target->clock ? target->clock() : target->rec->last_time();
  target->rec->Fail(t, title, text);
}

const Recorder* Chosen() {
  const auto& runs = S().runs;
  for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
    if (!it->rec->failures().empty()) return it->rec.get();
  }
  return runs.empty() ? nullptr : runs.back().rec.get();
}

std::string FinishTest(const std::string& name, std::string* error) {
  std::string path;
  if (const Recorder* rec = Chosen()) path = WritePage(*rec, name, error);
  S().runs.clear();
  S().started = 0;
  return path;
}

}  // namespace timeline
