#include "raft/testing/describe.h"

#include <sstream>

#include "raft/util.h"

namespace raft::test {

namespace {
// More entries than this and only the tail is printed: the tail is where logs disagree.
constexpr size_t kShownEntries = 12;
}  // namespace

std::string DescribeNode(const Raft& r) {
  std::ostringstream os;
  os << "node " << r.id << " (" << StateName(r.state) << ", term " << r.term << ", vote " << r.vote
     << ", lead " << r.lead << ", log ";
  std::vector<eraftpb::Entry> ents = r.raft_log.allEntries();
  if (ents.size() > kShownEntries) {
    os << "[... " << ents.size() - kShownEntries << " more] ";
    ents.erase(ents.begin(), ents.end() - kShownEntries);
  }
  os << DescribeEntries(ents) << ", last index " << r.raft_log.LastIndex() << ", committed "
     << r.raft_log.committed << ", applied " << r.raft_log.applied << ", stabled "
     << r.raft_log.stabled << ")";
  return os.str();
}

std::string DescribeMessages(const std::vector<eraftpb::Message>& msgs) {
  if (msgs.empty()) return "    (no messages)";
  std::ostringstream os;
  for (size_t i = 0; i < msgs.size(); ++i) {
    if (i > 0) os << "\n";
    os << "    " << DescribeMessage(msgs[i]);
  }
  return os.str();
}

std::string DescribeEntriesWithData(const std::vector<eraftpb::Entry>& ents) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < ents.size(); ++i) {
    if (i > 0) os << " ";
    os << ents[i].index() << "@" << ents[i].term();
    if (ents[i].entry_type() == eraftpb::EntryConfChange) os << "(conf)";
    if (!ents[i].data().empty()) os << ":\"" << ents[i].data() << "\"";
  }
  os << "]";
  return os.str();
}

std::string DescribeLog(const RaftLog& log) {
  std::ostringstream os;
  os << "committed=" << log.committed << " applied=" << log.applied << " "
     << DescribeEntriesWithData(log.allEntries());
  return os.str();
}

}  // namespace raft::test

namespace raft {
void PrintTo(StateType s, std::ostream* os) { *os << StateName(s); }
}  // namespace raft

namespace eraftpb {
void PrintTo(const Message& m, std::ostream* os) { *os << raft::DescribeMessage(m); }
void PrintTo(const Entry& e, std::ostream* os) { *os << raft::test::DescribeEntriesWithData({e}); }
}  // namespace eraftpb
