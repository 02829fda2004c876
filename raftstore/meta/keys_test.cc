// The meta key layout: TinyKV's bytes, and the orderings raftstore relies on. Framework
// tests, not graded.

#include "raftstore/meta/keys.h"

#include <gtest/gtest.h>

#include <string>

namespace raftstore::meta {
namespace {

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

TEST(RaftstoreMeta, KeysAreTinyKVs) {
  EXPECT_EQ(RaftLogKey(1, 5), Bytes({1, 2, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 5}));
  EXPECT_EQ(RaftStateKey(1), Bytes({1, 2, 0, 0, 0, 0, 0, 0, 0, 1, 2}));
  EXPECT_EQ(ApplyStateKey(1), Bytes({1, 2, 0, 0, 0, 0, 0, 0, 0, 1, 3}));
  EXPECT_EQ(RegionStateKey(1), Bytes({1, 3, 0, 0, 0, 0, 0, 0, 0, 1, 1}));
  EXPECT_EQ(PrepareBootstrapKey(), Bytes({1, 1}));
  EXPECT_EQ(StoreIdentKey(), Bytes({1, 2}));
  EXPECT_EQ(RaftLogKey(7, 9).size(), kRegionRaftLogLen);
  EXPECT_EQ(RaftStateKey(7).size(), kRegionRaftPrefixLen);
  EXPECT_EQ(kRaftInitLogIndex, 5u);
  EXPECT_EQ(kRaftInitLogTerm, 5u);
}

TEST(RaftstoreMeta, LogKeysSortByRegionThenIndex) {
  EXPECT_LT(RaftLogKey(1, 9), RaftLogKey(1, 10));
  EXPECT_LT(RaftLogKey(1, 255), RaftLogKey(1, 256));
  EXPECT_LT(RaftLogKey(1, ~uint64_t{0}), RaftStateKey(1));
  EXPECT_LT(RaftStateKey(1), ApplyStateKey(1));
  EXPECT_LT(ApplyStateKey(1), RaftLogKey(2, 0));
  // A region's whole log lies between its prefix and its raft state key.
  EXPECT_LT(RaftLogKeyPrefix(3), RaftLogKey(3, 0));
  EXPECT_EQ(RaftLogKey(3, 12).rfind(RaftLogKeyPrefix(3), 0), 0u);
}

TEST(RaftstoreMeta, LocalKeysSortBeforeUserKeys) {
  for (const std::string& k : {RaftLogKey(9, 9), RaftStateKey(9), ApplyStateKey(9),
                               RegionStateKey(9), StoreIdentKey(), PrepareBootstrapKey()}) {
    EXPECT_LE(LocalMinKey(), k);
    EXPECT_LT(k, LocalMaxKey());
  }
  EXPECT_LE(RegionMetaMinKey(), RegionStateKey(9));
  EXPECT_LT(RegionStateKey(~uint64_t{0}), RegionMetaMaxKey());
  EXPECT_LT(LocalMaxKey(), std::string("a"));
}

TEST(RaftstoreMeta, DecodeRoundTrips) {
  uint64_t region = 0, index = 0;
  ASSERT_TRUE(DecodeRaftLogKey(RaftLogKey(0x0102030405060708, 42), &region, &index));
  EXPECT_EQ(region, 0x0102030405060708u);
  EXPECT_EQ(index, 42u);
  EXPECT_FALSE(DecodeRaftLogKey(RaftStateKey(1), &region, &index));
  EXPECT_FALSE(DecodeRaftLogKey("hello", &region, &index));

  char suffix = 0;
  ASSERT_TRUE(DecodeRegionMetaKey(RegionStateKey(77), &region, &suffix));
  EXPECT_EQ(region, 77u);
  EXPECT_EQ(suffix, kRegionStateSuffix);
  EXPECT_FALSE(DecodeRegionMetaKey(ApplyStateKey(77), &region, &suffix));

  EXPECT_TRUE(IsRaftStateKey(RaftStateKey(5)));
  EXPECT_FALSE(IsRaftStateKey(ApplyStateKey(5)));
  EXPECT_EQ(DescribeKey(Bytes({1, 2, 0xff})), "01 02 ff");
}

}  // namespace
}  // namespace raftstore::meta
