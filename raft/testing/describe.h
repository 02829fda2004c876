#pragma once

// One-line pictures of a node's state and of message lists, for failure messages: a student
// reading a failed assertion should see the node, its term, state, vote, leader and log
// without attaching a debugger.

#include <ostream>
#include <string>
#include <vector>

#include "proto/eraftpb.pb.h"
#include "raft/raft.h"

namespace raft::test {

// "node 2 (StateFollower, term 3, vote 1, lead 1, log [1@1 2@3], committed 2, applied 0,
// stabled 2)". Long logs are shown by their last entries only.
std::string DescribeNode(const Raft& r);

// The messages, one per line (indented), or "    (no messages)".
std::string DescribeMessages(const std::vector<eraftpb::Message>& msgs);

// Entries with their data: "[1@1 2@1:\"somedata\"]". Two logs with the same description hold
// the same entries (index, term, type and data).
std::string DescribeEntriesWithData(const std::vector<eraftpb::Entry>& ents);

// The whole log as compared between nodes: "committed=2 applied=0 [1@1 2@1:\"x\"]".
std::string DescribeLog(const RaftLog& log);

}  // namespace raft::test

// So that gtest prints states and messages readably in EXPECT_EQ failures.
namespace raft {
void PrintTo(StateType s, std::ostream* os);
}  // namespace raft
namespace eraftpb {
void PrintTo(const Message& m, std::ostream* os);
void PrintTo(const Entry& e, std::ostream* os);
}  // namespace eraftpb
