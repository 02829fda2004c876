#pragma once

// RegionError: raftstore's one error type. It is what a store answers when it cannot serve a
// command here and now, and it travels to the client inside the response header
// (RaftResponseHeader.error, an errorpb::Error), so a client knows whether and where to
// retry:
//
//   NotLeader       this peer is not the leader; `leader` (if known) is where to retry.
//   StaleCommand    the proposal was overwritten by a new leader's log (it never took
//                   effect); retry it.
//   EpochNotMatch   the request was built for an older shape of the region (split or
//                   membership change); refresh the region and retry.
//   KeyNotInRegion  the key lies outside the region's range.
//   RegionNotFound  this store has no peer of that region.
//   StoreNotMatch   the request was meant for another store.
//   Other           anything else (a storage failure), with a message.

#include <cstdint>
#include <string>
#include <vector>

#include "proto/errorpb.pb.h"
#include "proto/metapb.pb.h"

namespace raftstore {

enum class RegionErrorKind {
  kNone,
  kNotLeader,
  kStaleCommand,
  kEpochNotMatch,
  kKeyNotInRegion,
  kRegionNotFound,
  kStoreNotMatch,
  kOther,
};

const char* RegionErrorKindName(RegionErrorKind kind);

class RegionError {
 public:
  // No error.
  RegionError() = default;
  // The error a response header carries (kNone for an empty one).
  static RegionError FromPb(const errorpb::Error& pb);

  RegionErrorKind kind() const { return kind_; }
  bool ok() const { return kind_ == RegionErrorKind::kNone; }
  // True when there is an error, so that `if (RegionError e = Check()) return e;` reads well.
  explicit operator bool() const { return !ok(); }
  // The wire form, for a response header.
  const errorpb::Error& pb() const { return pb_; }
  // "NotLeader: region 1, leader peer 3 on store 3" — for logs and failure messages.
  std::string ToString() const;

 private:
  friend RegionError MakeRegionError(RegionErrorKind kind, errorpb::Error pb);
  RegionErrorKind kind_ = RegionErrorKind::kNone;
  errorpb::Error pb_;
};

// `leader` may be null: the peer knows of no leader.
RegionError ErrNotLeader(uint64_t region_id, const metapb::Peer* leader);
RegionError ErrStaleCommand();
RegionError ErrEpochNotMatch(const std::string& message,
                             const std::vector<metapb::Region>& current_regions);
RegionError ErrKeyNotInRegion(const std::string& key, const metapb::Region& region);
RegionError ErrRegionNotFound(uint64_t region_id);
RegionError ErrStoreNotMatch(uint64_t request_store_id, uint64_t actual_store_id);
RegionError ErrOther(const std::string& message);

}  // namespace raftstore
