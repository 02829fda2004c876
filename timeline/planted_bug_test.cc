// A test double with a planted bug, for rerun_test.sh: a Raft simulator run whose send hook
// turns every rejected vote into a granted one, so that two candidates of the same term both
// win and the safety checker stops the run (Election Safety). The test fails on purpose —
// tagged "manual", it runs only when rerun_test.sh runs it to check that a failing test
// re-runs itself with recording and leaves timeline.html with the failure at its step.

#include <gtest/gtest.h>

#include "raft/sim/cluster.h"

namespace {

TEST(PlantedBug, GrantedRejectionsElectTwoLeaders) {
  raft::sim::ClusterOptions o;
  o.size = 3;
  o.seed = 5;
  raft::sim::Cluster c(o);
  c.SetSendHook([](const eraftpb::Message& m) {
    eraftpb::Message out = m;
    if (m.msg_type() == eraftpb::MsgRequestVoteResponse) out.set_reject(false);  // the bug
    return std::vector<eraftpb::Message>{out};
  });
  c.Campaign(1);
  c.Campaign(2);  // the same term as node 1: node 1's request has not arrived yet
  c.DeliverDue();
  c.Tick(20);
  ASSERT_FALSE(c.failed()) << c.FailureReport();
}

}  // namespace
