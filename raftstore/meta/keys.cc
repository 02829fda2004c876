#include "raftstore/meta/keys.h"

#include <cstdio>

namespace raftstore::meta {

namespace {

std::string Prefixed(char kind, uint64_t region_id) {
  std::string key{kLocalPrefix, kind};
  AppendU64(&key, region_id);
  return key;
}

}  // namespace

void AppendU64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

uint64_t DecodeU64(std::string_view bytes) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < bytes.size(); ++i) {
    v = (v << 8) | static_cast<uint8_t>(bytes[i]);
  }
  return v;
}

std::string MinKey() { return ""; }
std::string MaxKey() { return std::string(1, '\xff'); }
std::string LocalMinKey() { return std::string(1, kLocalPrefix); }
std::string LocalMaxKey() { return std::string(1, kLocalPrefix + 1); }
std::string RegionMetaMinKey() { return {kLocalPrefix, kRegionMetaPrefix}; }
std::string RegionMetaMaxKey() { return {kLocalPrefix, kRegionMetaPrefix + 1}; }
std::string PrepareBootstrapKey() { return {kLocalPrefix, 0x01}; }
std::string StoreIdentKey() { return {kLocalPrefix, 0x02}; }

std::string RegionRaftPrefixKey(uint64_t region_id) {
  return Prefixed(kRegionRaftPrefix, region_id);
}

std::string RaftLogKeyPrefix(uint64_t region_id) {
  return RegionRaftPrefixKey(region_id) + kRaftLogSuffix;
}

std::string RaftLogKey(uint64_t region_id, uint64_t index) {
  std::string key = RaftLogKeyPrefix(region_id);
  AppendU64(&key, index);
  return key;
}

std::string RaftStateKey(uint64_t region_id) {
  return RegionRaftPrefixKey(region_id) + kRaftStateSuffix;
}

std::string ApplyStateKey(uint64_t region_id) {
  return RegionRaftPrefixKey(region_id) + kApplyStateSuffix;
}

std::string RegionMetaPrefixKey(uint64_t region_id) {
  return Prefixed(kRegionMetaPrefix, region_id);
}

std::string RegionStateKey(uint64_t region_id) {
  return RegionMetaPrefixKey(region_id) + kRegionStateSuffix;
}

bool DecodeRaftLogKey(std::string_view key, uint64_t* region_id, uint64_t* index) {
  if (key.size() != kRegionRaftLogLen || key[0] != kLocalPrefix || key[1] != kRegionRaftPrefix ||
      key[10] != kRaftLogSuffix) {
    return false;
  }
  if (region_id != nullptr) *region_id = DecodeU64(key.substr(2, 8));
  if (index != nullptr) *index = DecodeU64(key.substr(11, 8));
  return true;
}

bool DecodeRegionMetaKey(std::string_view key, uint64_t* region_id, char* suffix) {
  if (key.size() != kRegionRaftPrefixLen || key[0] != kLocalPrefix || key[1] != kRegionMetaPrefix) {
    return false;
  }
  if (region_id != nullptr) *region_id = DecodeU64(key.substr(2, 8));
  if (suffix != nullptr) *suffix = key[10];
  return true;
}

bool IsRaftStateKey(std::string_view key) {
  return key.size() == kRegionRaftPrefixLen && key[0] == kLocalPrefix &&
         key[1] == kRegionRaftPrefix && key[10] == kRaftStateSuffix;
}

std::string DescribeKey(std::string_view key) {
  std::string out;
  for (size_t i = 0; i < key.size(); ++i) {
    char buf[4];
    std::snprintf(buf, sizeof buf, "%02x", static_cast<uint8_t>(key[i]));
    if (i > 0) out += ' ';
    out += buf;
  }
  return out;
}

}  // namespace raftstore::meta
