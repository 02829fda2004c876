#include "raft/sim/trace.h"

#include "raft/sim/hash.h"

namespace raft::sim {

void Trace::Add(uint64_t tick, const std::string& event) {
  std::string line = "t=" + std::to_string(tick) + " " + event;
  fingerprint_ = Combine(fingerprint_, HashBytes(line));
  ++count_;
  if (keep_ > 0) {
    if (recent_.size() == keep_) recent_.pop_front();
    recent_.push_back(line);
  }
  if (record_all_) all_.push_back(std::move(line));
}

std::string Trace::Recent(size_t n) const {
  std::string out;
  const size_t from = recent_.size() > n ? recent_.size() - n : 0;
  for (size_t i = from; i < recent_.size(); ++i) out += "    " + recent_[i] + "\n";
  return out;
}

}  // namespace raft::sim
