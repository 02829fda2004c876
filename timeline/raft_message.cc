#include "timeline/raft_message.h"

#include <utility>

namespace timeline {

std::string MessageType(const eraftpb::Message& m) {
  return eraftpb::MessageType_Name(m.msg_type());
}

Fields MessageFields(const eraftpb::Message& m) {
  Fields f;
  auto add = [&f](const char* name, uint64_t v) { f.emplace_back(name, std::to_string(v)); };
  add("term", m.term());
  if (m.index() != 0 || m.msg_type() == eraftpb::MsgAppend) add("index", m.index());
  if (m.log_term() != 0 || m.msg_type() == eraftpb::MsgAppend) add("logTerm", m.log_term());
  if (m.entries_size() > 0) {
    f.emplace_back("entries", std::to_string(m.entries(0).index()) + ".." +
                                  std::to_string(m.entries(m.entries_size() - 1).index()) + " (" +
                                  std::to_string(m.entries_size()) + ")");
  }
  if (m.commit() != 0) add("commit", m.commit());
  if (m.reject()) f.emplace_back("reject", "true");
  if (m.has_snapshot() && m.snapshot().has_metadata()) {
    add("snapshot index", m.snapshot().metadata().index());
    add("snapshot term", m.snapshot().metadata().term());
  }
  return f;
}

}  // namespace timeline
