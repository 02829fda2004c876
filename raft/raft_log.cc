#include "raft/raft_log.h"

namespace raft {

RaftLog::RaftLog(Storage* storage) : storage(storage) {
  // Your Code Here (2A).
  // Read storage's first and last index and its entries; set committed/applied to the
  // first index - 1 and stabled to the last index.
}

std::vector<eraftpb::Entry> RaftLog::allEntries() const {
  // Your Code Here (2A).
  return {};
}

std::vector<eraftpb::Entry> RaftLog::unstableEntries() const {
  // Your Code Here (2A).
  return {};
}

std::vector<eraftpb::Entry> RaftLog::nextEnts() const {
  // Your Code Here (2A).
  return {};
}

uint64_t RaftLog::LastIndex() const {
  // Your Code Here (2A).
  return 0;
}

Result<uint64_t> RaftLog::Term(uint64_t i) const {
  // Your Code Here (2A).
  (void)i;
  return 0;
}

void RaftLog::maybeCompact() {
  // Your Code Here (2C).
  // Drop the entries at or below storage's FirstIndex() - 1 from `entries`.
}

}  // namespace raft
