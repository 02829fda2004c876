#pragma once

// The checks a peer makes before proposing a command (TinyKV's util.go): is the key in the
// region, was the request built for the region's current epoch. And a few helpers on regions.

#include <cstdint>
#include <optional>
#include <string_view>

#include "proto/eraftpb.pb.h"
#include "proto/metapb.pb.h"
#include "proto/raft_cmdpb.pb.h"
#include "raftstore/util/region_error.h"

namespace raftstore {

// KeyNotInRegion unless start_key <= key < end_key (an empty end_key is unbounded).
RegionError CheckKeyInRegion(std::string_view key, const metapb::Region& region);

// EpochNotMatch when the request's epoch is older than the region's in the fields that matter
// for its kind: normal requests and splits care about the version (the key range), membership
// changes about conf_ver, leader transfers about both; CompactLog about neither.
// `include_region` adds the current region to the error, for the client to refresh.
RegionError CheckRegionEpoch(const raft_cmdpb::RaftCmdRequest& req, const metapb::Region& region,
                             bool include_region);

// True when `epoch` is older than `check_epoch` in either field.
bool IsEpochStale(const metapb::RegionEpoch& epoch, const metapb::RegionEpoch& check_epoch);

// The region's peer on `store_id`, if it has one.
std::optional<metapb::Peer> FindPeer(const metapb::Region& region, uint64_t store_id);

// Messages that may create a peer on a store that has none yet: a vote request, or a
// heartbeat from a leader that knows nothing of the peer's log yet (commit 0).
bool IsInitialMsg(const eraftpb::Message& msg);

// "region 1 [\"\", \"\") epoch(conf_ver 1, version 1) peers [1@1 2@2 3@3]".
std::string DescribeRegion(const metapb::Region& region);

}  // namespace raftstore
