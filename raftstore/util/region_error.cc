#include "raftstore/util/region_error.h"

namespace raftstore {

const char* RegionErrorKindName(RegionErrorKind kind) {
  switch (kind) {
    case RegionErrorKind::kNone:
      return "OK";
    case RegionErrorKind::kNotLeader:
      return "NotLeader";
    case RegionErrorKind::kStaleCommand:
      return "StaleCommand";
    case RegionErrorKind::kEpochNotMatch:
      return "EpochNotMatch";
    case RegionErrorKind::kKeyNotInRegion:
      return "KeyNotInRegion";
    case RegionErrorKind::kRegionNotFound:
      return "RegionNotFound";
    case RegionErrorKind::kStoreNotMatch:
      return "StoreNotMatch";
    case RegionErrorKind::kOther:
      return "Other";
  }
  return "?";
}

RegionError MakeRegionError(RegionErrorKind kind, errorpb::Error pb) {
  RegionError e;
  e.kind_ = kind;
  e.pb_ = std::move(pb);
  return e;
}

RegionError RegionError::FromPb(const errorpb::Error& pb) {
  RegionErrorKind kind = RegionErrorKind::kNone;
  if (pb.has_not_leader()) {
    kind = RegionErrorKind::kNotLeader;
  } else if (pb.has_stale_command()) {
    kind = RegionErrorKind::kStaleCommand;
  } else if (pb.has_epoch_not_match()) {
    kind = RegionErrorKind::kEpochNotMatch;
  } else if (pb.has_key_not_in_region()) {
    kind = RegionErrorKind::kKeyNotInRegion;
  } else if (pb.has_region_not_found()) {
    kind = RegionErrorKind::kRegionNotFound;
  } else if (pb.has_store_not_match()) {
    kind = RegionErrorKind::kStoreNotMatch;
  } else if (!pb.message().empty()) {
    kind = RegionErrorKind::kOther;
  }
  return MakeRegionError(kind, pb);
}

std::string RegionError::ToString() const {
  std::string out = RegionErrorKindName(kind_);
  switch (kind_) {
    case RegionErrorKind::kNone:
      return out;
    case RegionErrorKind::kNotLeader:
      out += ": region " + std::to_string(pb_.not_leader().region_id());
      if (pb_.not_leader().has_leader()) {
        out += ", leader peer " + std::to_string(pb_.not_leader().leader().id()) + " on store " +
               std::to_string(pb_.not_leader().leader().store_id());
      } else {
        out += ", leader unknown";
      }
      return out;
    case RegionErrorKind::kRegionNotFound:
      return out + ": region " + std::to_string(pb_.region_not_found().region_id());
    case RegionErrorKind::kKeyNotInRegion:
      return out + ": key \"" + pb_.key_not_in_region().key() + "\" not in region " +
             std::to_string(pb_.key_not_in_region().region_id());
    case RegionErrorKind::kStoreNotMatch:
      return out + ": request for store " +
             std::to_string(pb_.store_not_match().request_store_id()) + " reached store " +
             std::to_string(pb_.store_not_match().actual_store_id());
    default:
      return pb_.message().empty() ? out : out + ": " + pb_.message();
  }
}

RegionError ErrNotLeader(uint64_t region_id, const metapb::Peer* leader) {
  errorpb::Error pb;
  pb.set_message("peer is not leader for region " + std::to_string(region_id));
  pb.mutable_not_leader()->set_region_id(region_id);
  if (leader != nullptr) *pb.mutable_not_leader()->mutable_leader() = *leader;
  return MakeRegionError(RegionErrorKind::kNotLeader, std::move(pb));
}

RegionError ErrStaleCommand() {
  errorpb::Error pb;
  pb.set_message("stale command");
  pb.mutable_stale_command();
  return MakeRegionError(RegionErrorKind::kStaleCommand, std::move(pb));
}

RegionError ErrEpochNotMatch(const std::string& message,
                             const std::vector<metapb::Region>& current_regions) {
  errorpb::Error pb;
  pb.set_message("epoch not match: " + message);
  auto* e = pb.mutable_epoch_not_match();
  for (const metapb::Region& r : current_regions) *e->add_current_regions() = r;
  return MakeRegionError(RegionErrorKind::kEpochNotMatch, std::move(pb));
}

RegionError ErrKeyNotInRegion(const std::string& key, const metapb::Region& region) {
  errorpb::Error pb;
  pb.set_message("key not in region");
  auto* e = pb.mutable_key_not_in_region();
  e->set_key(key);
  e->set_region_id(region.id());
  e->set_start_key(region.start_key());
  e->set_end_key(region.end_key());
  return MakeRegionError(RegionErrorKind::kKeyNotInRegion, std::move(pb));
}

RegionError ErrRegionNotFound(uint64_t region_id) {
  errorpb::Error pb;
  pb.set_message("region " + std::to_string(region_id) + " not found");
  pb.mutable_region_not_found()->set_region_id(region_id);
  return MakeRegionError(RegionErrorKind::kRegionNotFound, std::move(pb));
}

RegionError ErrStoreNotMatch(uint64_t request_store_id, uint64_t actual_store_id) {
  errorpb::Error pb;
  pb.set_message("store not match");
  pb.mutable_store_not_match()->set_request_store_id(request_store_id);
  pb.mutable_store_not_match()->set_actual_store_id(actual_store_id);
  return MakeRegionError(RegionErrorKind::kStoreNotMatch, std::move(pb));
}

RegionError ErrOther(const std::string& message) {
  errorpb::Error pb;
  pb.set_message(message.empty() ? "error" : message);
  return MakeRegionError(RegionErrorKind::kOther, std::move(pb));
}

}  // namespace raftstore
