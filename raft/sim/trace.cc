#include "raft/sim/trace.h"

#include <utility>

#include "raft/sim/hash.h"
#include "raft/util.h"

namespace raft::sim {

std::string BriefMessage(const eraftpb::Message& m) {
  std::string s = MessageTypeName(m.msg_type());
  s += " " + std::to_string(m.from()) + "->" + std::to_string(m.to()) +
       " term=" + std::to_string(m.term());
  if (m.index() != 0 || m.log_term() != 0) {
    s += " index=" + std::to_string(m.index()) + " logTerm=" + std::to_string(m.log_term());
  }
  if (m.commit() != 0) s += " commit=" + std::to_string(m.commit());
  if (m.reject()) s += " reject";
  if (m.entries_size() > 0) {
    s += " entries=" + std::to_string(m.entries(0).index());
    if (m.entries_size() > 1) s += ".." + std::to_string(m.entries(m.entries_size() - 1).index());
  }
  if (m.has_snapshot() && m.snapshot().metadata().index() != 0) {
    s += " snapshot=" + std::to_string(m.snapshot().metadata().index()) + "@" +
         std::to_string(m.snapshot().metadata().term());
  }
  return s;
}

std::string Trace::Format(const Event& e) {
  std::string line = "t=" + std::to_string(e.tick) + " ";
  if (!e.is_message) return line + e.text;
  const MessageEvent& m = e.msg;
  line += std::string(m.what) + " " + MessageTypeName(m.type) + " " + std::to_string(m.from) +
          "->" + std::to_string(m.to) + " term=" + std::to_string(m.term);
  if (m.index != 0 || m.log_term != 0) {
    line += " index=" + std::to_string(m.index) + " logTerm=" + std::to_string(m.log_term);
  }
  if (m.commit != 0) line += " commit=" + std::to_string(m.commit);
  if (m.reject) line += " reject";
  if (m.entries > 0) {
    line += " entries=" + std::to_string(m.first_entry);
    if (m.entries > 1) line += ".." + std::to_string(m.last_entry);
  }
  if (m.snap_index != 0) {
    line += " snapshot=" + std::to_string(m.snap_index) + "@" + std::to_string(m.snap_term);
  }
  return line;
}

void Trace::Keep(Event e) {
  ++count_;
  if (record_all_) all_.push_back(Format(e));
  if (keep_ == 0) return;
  if (recent_.size() == keep_) recent_.pop_front();
  recent_.push_back(std::move(e));
}

void Trace::Add(uint64_t tick, const std::string& event) {
  fingerprint_ = Combine(fingerprint_, Combine(tick, HashBytes(event)));
  Event e;
  e.tick = tick;
  e.text = event;
  Keep(std::move(e));
}

void Trace::AddMessage(uint64_t tick, const char* what, const eraftpb::Message& m) {
  Event e;
  e.tick = tick;
  e.is_message = true;
  MessageEvent& r = e.msg;
  r.what = what;
  r.type = m.msg_type();
  r.from = m.from();
  r.to = m.to();
  r.term = m.term();
  r.index = m.index();
  r.log_term = m.log_term();
  r.commit = m.commit();
  r.reject = m.reject();
  r.entries = m.entries_size();
  if (r.entries > 0) {
    r.first_entry = m.entries(0).index();
    r.last_entry = m.entries(r.entries - 1).index();
  }
  if (m.has_snapshot()) {
    r.snap_index = m.snapshot().metadata().index();
    r.snap_term = m.snapshot().metadata().term();
  }
  uint64_t h = Combine(tick, HashBytes(what));
  for (uint64_t v : {static_cast<uint64_t>(r.type), r.from, r.to, r.term, r.index, r.log_term,
                     r.commit, static_cast<uint64_t>(r.reject), static_cast<uint64_t>(r.entries),
                     r.first_entry, r.last_entry, r.snap_index, r.snap_term}) {
    h = Combine(h, v);
  }
  fingerprint_ = Combine(fingerprint_, h);
  Keep(std::move(e));
}

std::string Trace::Recent(size_t n) const {
  std::string out;
  const size_t from = recent_.size() > n ? recent_.size() - n : 0;
  for (size_t i = from; i < recent_.size(); ++i) out += "    " + Format(recent_[i]) + "\n";
  return out;
}

}  // namespace raft::sim
