#pragma once

// Callback audit: every command's callback answers exactly once. The test cluster makes every
// client command's Callback; this audit attaches a CallbackWatcher to it (shared by every copy
// of the callback), so it sees each answer and the moment the last copy is destroyed:
//   - answered twice (Done on two copies, or Done twice on one) fails the run at once;
//   - destroyed unanswered while its store keeps running (not in a crash) fails: the proposer
//     dropped it, and its client waits for nothing;
//   - still unanswered at quiescence fails, after the audit has driven the log past the index
//     the command was proposed at (so a proposal overwritten by a new leader has had its
//     chance to be answered StaleCommand), and past its store's applied index if a snapshot
//     jumped over the proposal (it is answered when the store applies its next entry).
// A crash (StopServer) legitimately destroys the store's callbacks unanswered.

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "raftstore/testing/cluster.h"

namespace raftstore::testing::audit {

// "Put(default, 0x... (\"1 00000003\"))": a command's requests, for messages.
std::string DescribeCommand(const raft_cmdpb::RaftCmdRequest& cmd);

class CallbackAudit : public ClusterObserver {
 public:
  explicit CallbackAudit(Cluster* cluster);

  void OnCommand(uint64_t store_id, const raft_cmdpb::RaftCmdRequest& cmd, Callback& cb) override;
  void BeforeStop(uint64_t store_id) override;
  void AfterStop(uint64_t store_id) override;

  // Failures seen so far (double answers, dropped callbacks).
  ::testing::AssertionResult Failures() const;
  // At quiescence: makes sure the log reaches every pending proposal's index (writing filler
  // keys "audit filler <n>" through the cluster if needed), waits for quiescence again, then
  // fails for every callback still unanswered.
  ::testing::AssertionResult CheckAllAnswered(uint64_t region_id);

  uint64_t watched() const { return state_->next_id; }

 private:
  struct Record {
    uint64_t store_id = 0;
    std::string what;
    runtime::Micros sent = 0;
    int answers = 0;
    std::string first_answer;
    const CallbackWatcher* watcher = nullptr;  // null once every copy is destroyed
  };
  struct State {
    Cluster* cluster = nullptr;
    uint64_t next_id = 0;
    std::map<uint64_t, Record> live;  // unanswered or answered, while some copy lives
    std::set<uint64_t> stopping;      // stores inside StopServer
    std::vector<std::string> failures;
  };
  class Watcher;

  std::shared_ptr<State> state_;
};

}  // namespace raftstore::testing::audit
