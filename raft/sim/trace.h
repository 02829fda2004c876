#pragma once

// Trace: what happened in a simulated run, one line per event ("t=12 deliver MsgAppend 1->2
// ..."). It always keeps a fingerprint of every event (two runs with equal fingerprints did
// the same thing in the same order), the most recent events for failure reports and, when
// asked, the whole run.

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace raft::sim {

class Trace {
 public:
  // `keep`: how many recent events to hold; `record_all`: also keep every event.
  Trace(size_t keep, bool record_all) : keep_(keep), record_all_(record_all) {}

  void Add(uint64_t tick, const std::string& event);

  uint64_t fingerprint() const { return fingerprint_; }
  uint64_t size() const { return count_; }
  // Every event, when record_all was set.
  const std::vector<std::string>& all() const { return all_; }
  // The last (at most) n events, oldest first, one per line, indented for failure messages.
  std::string Recent(size_t n) const;

 private:
  size_t keep_;
  bool record_all_;
  uint64_t fingerprint_ = 0;
  uint64_t count_ = 0;
  std::deque<std::string> recent_;
  std::vector<std::string> all_;
};

}  // namespace raft::sim
