#include "timeline/session.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <utility>
#include <vector>

#include "timeline/dump.h"
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

// The lanes a failure message names ("store 3", "node 2", "nodes 1, 3"), in lane order: so
// that the page can point at them. Only numbers that are lanes of the run count.
std::vector<uint64_t> NamedLanes(const Recorder& rec, const std::string& text) {
  std::vector<bool> named(rec.lanes().size(), false);
  const std::string noun = rec.lane_noun();
  for (size_t at = text.find(noun); at != std::string::npos; at = text.find(noun, at + 1)) {
    size_t i = at + noun.size();
    if (i < text.size() && text[i] == 's') ++i;
    // "store 3", "nodes 1, 3 and 5"
    while (i < text.size()) {
      while (i < text.size() && (text[i] == ' ' || text[i] == ',')) ++i;
      if (text.compare(i, 4, "and ") == 0) i += 4;
      if (i >= text.size() || !std::isdigit(static_cast<unsigned char>(text[i]))) break;
      uint64_t v = 0;
      while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
        v = v * 10 + static_cast<uint64_t>(text[i++] - '0');
      }
      for (size_t k = 0; k < rec.lanes().size(); ++k) {
        if (rec.lanes()[k] == v) named[k] = true;
      }
    }
  }
  std::vector<uint64_t> out;
  for (size_t k = 0; k < named.size(); ++k) {
    if (named[k]) out.push_back(rec.lanes()[k]);
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool& EnabledFlag() {
  static bool on = [] {
    const char* v = std::getenv("TINYKV_TIMELINE");
    return v != nullptr && *v != '\0' && std::strcmp(v, "0") != 0;
  }();
  return on;
}

}  // namespace

bool Enabled() { return EnabledFlag(); }

void SetEnabled(bool on) { EnabledFlag() = on; }

Recorder* StartRun(std::string title, TimeUnit unit, std::string lane_noun,
                   std::function<Time()> clock) {
  ++S().started;
  if (!Enabled()) return nullptr;
  // A test may run hundreds of clusters (one per derived seed): keep only the runs that may
  // still become the page — those still going and those that failed — so memory stays that
  // of about one run.
  std::erase_if(S().runs, [](const Run& r) { return !r.clock && r.rec->failures().empty(); });
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
  target->rec->Fail(t, title, text, NamedLanes(*target->rec, title + "\n" + text));
}

const Recorder* Chosen() {
  const auto& runs = S().runs;
  for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
    if (!it->rec->failures().empty()) return it->rec.get();
  }
  return runs.empty() ? nullptr : runs.back().rec.get();
}

std::string WriteChosenPageTo(const std::string& path, std::string* error) {
  const Recorder* rec = Chosen();
  if (rec == nullptr) {
    if (error != nullptr) *error = "nothing was recorded";
    return "";
  }
  return WritePageTo(*rec, path, error);
}

std::string FinishTest(const std::string& name, std::string* error) {
  std::string path;
  if (const Recorder* rec = Chosen()) {
    path = WritePage(*rec, name, error);
    const char* dump = std::getenv("TINYKV_TIMELINE_DUMP");
    if (!path.empty() && dump != nullptr && *dump != '\0' && std::strcmp(dump, "0") != 0) {
      std::ofstream out(path.substr(0, path.size() - 5) + ".txt", std::ios::trunc);
      out << Dump(*rec);
    }
  }
  S().runs.clear();
  S().started = 0;
  return path;
}

void Discard() {
  S().runs.clear();
  S().started = 0;
}

}  // namespace timeline
