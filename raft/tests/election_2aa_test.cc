// Lab 2AA: leader election (public suite). Work in progress.
#include <gtest/gtest.h>

#include "raft/testing/describe.h"
#include "raft/testing/network.h"
#include "raft/testing/test_raft.h"
#include "testutil/seed.h"

namespace raft {
namespace {

using test::Network;

TEST(Raft2AA, LeaderElection) {
  Network nt(3, testutil::TestSeed());
  nt.Send(test::Hup(1));
  EXPECT_EQ(nt.node(1).state, StateType::kLeader) << test::DescribeNode(nt.node(1)) << "\n"
                                                  << nt.RecentTrace();
}

}  // namespace
}  // namespace raft
