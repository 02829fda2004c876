#pragma once

// Trace: what happened in a simulated run, one line per event ("t=12 deliver MsgAppend 1->2
// ..."). It always keeps a fingerprint of every event (two runs with equal fingerprints did
// the same thing in the same order), the most recent events for failure reports and, when
// asked, the whole run. Message events are stored as a few numbers and only turned into text
// when someone reads them: a run delivers many thousands of messages.

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "proto/eraftpb.pb.h"

namespace raft::sim {

// "MsgAppend 1->2 term=3 index=5 logTerm=2 commit=5 entries=6..7".
std::string BriefMessage(const eraftpb::Message& m);

class Trace {
 public:
  // `keep`: how many recent events to hold; `record_all`: also keep every event.
  Trace(size_t keep, bool record_all) : keep_(keep), record_all_(record_all) {}

  void Add(uint64_t tick, const std::string& event);
  // "<what> <message>"; `what` must be a string literal (it is kept by pointer).
  void AddMessage(uint64_t tick, const char* what, const eraftpb::Message& m);

  uint64_t fingerprint() const { return fingerprint_; }
  uint64_t size() const { return count_; }
  // Every event, when record_all was set.
  const std::vector<std::string>& all() const { return all_; }
  // The last (at most) n events, oldest first, one per line, indented for failure messages.
  std::string Recent(size_t n) const;

 private:
  // A message event, kept as numbers.
  struct MessageEvent {
    const char* what = nullptr;
    eraftpb::MessageType type = eraftpb::MsgHup;
    uint64_t from = 0, to = 0, term = 0, index = 0, log_term = 0, commit = 0;
    uint64_t first_entry = 0, last_entry = 0, snap_index = 0, snap_term = 0;
    int entries = 0;
    bool reject = false;
  };
  struct Event {
    uint64_t tick = 0;
    std::string text;  // for events that are not messages
    bool is_message = false;
    MessageEvent msg;
  };
  static std::string Format(const Event& e);
  void Keep(Event e);

  size_t keep_;
  bool record_all_;
  uint64_t fingerprint_ = 0;
  uint64_t count_ = 0;
  std::deque<Event> recent_;
  std::vector<std::string> all_;
};

}  // namespace raft::sim
