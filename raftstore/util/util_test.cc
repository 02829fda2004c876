// Region errors, command responses and the pre-proposal checks. Framework tests, not graded.

#include <gtest/gtest.h>

#include "raftstore/util/checks.h"
#include "raftstore/util/cmd_resp.h"
#include "raftstore/util/region_error.h"

namespace raftstore {
namespace {

metapb::Region Region(const std::string& start, const std::string& end, uint64_t conf_ver = 1,
                      uint64_t version = 1) {
  metapb::Region r;
  r.set_id(7);
  r.set_start_key(start);
  r.set_end_key(end);
  r.mutable_region_epoch()->set_conf_ver(conf_ver);
  r.mutable_region_epoch()->set_version(version);
  for (uint64_t id : {1, 2, 3}) {
    auto* p = r.add_peers();
    p->set_id(id + 10);
    p->set_store_id(id);
  }
  return r;
}

raft_cmdpb::RaftCmdRequest Request(uint64_t conf_ver, uint64_t version) {
  raft_cmdpb::RaftCmdRequest req;
  req.mutable_header()->set_region_id(7);
  req.mutable_header()->mutable_region_epoch()->set_conf_ver(conf_ver);
  req.mutable_header()->mutable_region_epoch()->set_version(version);
  req.add_requests()->set_cmd_type(raft_cmdpb::Get);
  return req;
}

TEST(RegionError, KindsRoundTripThroughTheWire) {
  metapb::Peer leader;
  leader.set_id(3);
  leader.set_store_id(4);
  const std::vector<std::pair<RegionError, RegionErrorKind>> cases = {
      {ErrNotLeader(1, &leader), RegionErrorKind::kNotLeader},
      {ErrNotLeader(1, nullptr), RegionErrorKind::kNotLeader},
      {ErrStaleCommand(), RegionErrorKind::kStaleCommand},
      {ErrEpochNotMatch("old", {Region("", "")}), RegionErrorKind::kEpochNotMatch},
      {ErrKeyNotInRegion("k", Region("a", "b")), RegionErrorKind::kKeyNotInRegion},
      {ErrRegionNotFound(9), RegionErrorKind::kRegionNotFound},
      {ErrStoreNotMatch(1, 2), RegionErrorKind::kStoreNotMatch},
      {ErrOther("disk on fire"), RegionErrorKind::kOther},
  };
  for (const auto& [err, kind] : cases) {
    EXPECT_EQ(err.kind(), kind) << err.ToString();
    EXPECT_TRUE(err) << err.ToString();
    raft_cmdpb::RaftCmdResponse resp = ErrResp(err);
    RegionError back = RespError(resp);
    EXPECT_EQ(back.kind(), kind) << err.ToString();
    EXPECT_EQ(back.ToString(), err.ToString());
  }
  EXPECT_FALSE(RegionError());
  EXPECT_TRUE(RespError(NewCmdResp()).ok());
}

TEST(RegionError, NotLeaderCarriesTheLeaderHint) {
  metapb::Peer leader;
  leader.set_id(3);
  leader.set_store_id(4);
  RegionError e = ErrNotLeader(1, &leader);
  ASSERT_TRUE(e.pb().not_leader().has_leader());
  EXPECT_EQ(e.pb().not_leader().leader().store_id(), 4u);
  EXPECT_EQ(e.ToString(), "NotLeader: region 1, leader peer 3 on store 4");
  EXPECT_FALSE(ErrNotLeader(1, nullptr).pb().not_leader().has_leader());
  EXPECT_EQ(ErrNotLeader(1, nullptr).ToString(), "NotLeader: region 1, leader unknown");
}

TEST(CmdResp, StaleCommandCarriesTerm) {
  raft_cmdpb::RaftCmdResponse resp = ErrRespStaleCommand(8);
  EXPECT_EQ(resp.header().current_term(), 8u);
  EXPECT_TRUE(resp.header().error().has_stale_command());
  EXPECT_EQ(resp.responses_size(), 0);
  raft_cmdpb::RaftCmdResponse ok = NewCmdResp();
  BindRespTerm(&ok, 3);
  EXPECT_EQ(ok.header().current_term(), 3u);
  EXPECT_FALSE(ok.header().has_error());
}

TEST(Checks, KeyInRegion) {
  EXPECT_TRUE(CheckKeyInRegion("a", Region("", "")).ok());
  EXPECT_TRUE(CheckKeyInRegion("", Region("", "")).ok());
  EXPECT_TRUE(CheckKeyInRegion("b", Region("b", "d")).ok());
  EXPECT_TRUE(CheckKeyInRegion("c", Region("b", "d")).ok());
  EXPECT_EQ(CheckKeyInRegion("d", Region("b", "d")).kind(), RegionErrorKind::kKeyNotInRegion);
  EXPECT_EQ(CheckKeyInRegion("a", Region("b", "")).kind(), RegionErrorKind::kKeyNotInRegion);
  EXPECT_TRUE(CheckKeyInRegion("zzz", Region("b", "")).ok());
}

TEST(Checks, RegionEpoch) {
  const metapb::Region region = Region("", "", 2, 3);
  EXPECT_TRUE(CheckRegionEpoch(Request(2, 3), region, true).ok());
  EXPECT_TRUE(CheckRegionEpoch(Request(1, 3), region, true).ok())
      << "normal requests ignore conf_ver";
  RegionError e = CheckRegionEpoch(Request(2, 2), region, true);
  ASSERT_EQ(e.kind(), RegionErrorKind::kEpochNotMatch);
  ASSERT_EQ(e.pb().epoch_not_match().current_regions_size(), 1);
  EXPECT_EQ(e.pb().epoch_not_match().current_regions(0).id(), 7u);
  EXPECT_EQ(
      CheckRegionEpoch(Request(2, 2), region, false).pb().epoch_not_match().current_regions_size(),
      0);

  raft_cmdpb::RaftCmdRequest compact;
  compact.mutable_admin_request()->set_cmd_type(raft_cmdpb::CompactLog);
  EXPECT_TRUE(CheckRegionEpoch(compact, region, true).ok()) << "CompactLog is never stale";

  raft_cmdpb::RaftCmdRequest change = Request(1, 3);
  change.clear_requests();
  change.mutable_admin_request()->set_cmd_type(raft_cmdpb::ChangePeer);
  EXPECT_EQ(CheckRegionEpoch(change, region, true).kind(), RegionErrorKind::kEpochNotMatch);

  raft_cmdpb::RaftCmdRequest no_epoch;
  no_epoch.add_requests()->set_cmd_type(raft_cmdpb::Put);
  EXPECT_EQ(CheckRegionEpoch(no_epoch, region, true).kind(), RegionErrorKind::kOther);

  metapb::RegionEpoch a, b;
  a.set_conf_ver(1);
  a.set_version(2);
  b.set_conf_ver(1);
  b.set_version(3);
  EXPECT_TRUE(IsEpochStale(a, b));
  EXPECT_FALSE(IsEpochStale(b, a));
}

TEST(Checks, FindPeerAndDescribe) {
  const metapb::Region region = Region("a", "z");
  ASSERT_TRUE(FindPeer(region, 2).has_value());
  EXPECT_EQ(FindPeer(region, 2)->id(), 12u);
  EXPECT_FALSE(FindPeer(region, 9).has_value());
  EXPECT_EQ(DescribeRegion(region),
            "region 7 [\"a\", \"z\") epoch(conf_ver 1, version 1) peers [11@1 12@2 13@3]");
}

}  // namespace
}  // namespace raftstore
