#pragma once

// The keys raftstore keeps its own state under, next to the user's data. They follow
// TinyKV's layout (kv/raftstore/meta/keys.go) byte for byte, so the handouts apply as is:
//
//   raft engine:  0x01 0x02 <region id: 8 bytes big-endian> 0x01 <index: 8 bytes BE>  log entry
//                 0x01 0x02 <region id> 0x02                                      RaftLocalState
//   kv engine:    0x01 0x02 <region id> 0x03                                      RaftApplyState
//                 0x01 0x03 <region id> 0x01                                    RegionLocalState
//                 0x01 0x01                                        prepare-bootstrap marker
//                 0x01 0x02                                                   StoreIdent
//
// Big-endian integers make RocksDB's byte order the numeric order: a region's log entries
// are contiguous and sorted by index, which is what lets log GC delete a prefix of the log
// with one range deletion.

#include <cstdint>
#include <string>
#include <string_view>

namespace raftstore::meta {

// A new region's log starts after a virtual entry at index 5, term 5 (TinyKV's
// RaftInitLogIndex / RaftInitLogTerm). Starting above 0 lets a peer created by a message
// from a leader tell "never initialized" (index 0) from "initialized, empty log".
inline constexpr uint64_t kRaftInitLogTerm = 5;
inline constexpr uint64_t kRaftInitLogIndex = 5;

inline constexpr char kLocalPrefix = 0x01;
inline constexpr char kRegionRaftPrefix = 0x02;
inline constexpr char kRegionMetaPrefix = 0x03;
inline constexpr char kRaftLogSuffix = 0x01;
inline constexpr char kRaftStateSuffix = 0x02;
inline constexpr char kApplyStateSuffix = 0x03;
inline constexpr char kRegionStateSuffix = 0x01;

// Lengths of a region raft key without and with the log index.
inline constexpr size_t kRegionRaftPrefixLen = 11;
inline constexpr size_t kRegionRaftLogLen = 19;

// The smallest and (one past) the largest key of the whole key space.
std::string MinKey();  // ""
std::string MaxKey();  // "\xff"
// Every raftstore-internal key lies in [LocalMinKey, LocalMaxKey).
std::string LocalMinKey();
std::string LocalMaxKey();
// Every RegionLocalState key lies in [RegionMetaMinKey, RegionMetaMaxKey).
std::string RegionMetaMinKey();
std::string RegionMetaMaxKey();
std::string PrepareBootstrapKey();
std::string StoreIdentKey();

// 0x01 0x02 <region id>: the common prefix of a region's raft log, raft state and apply state.
std::string RegionRaftPrefixKey(uint64_t region_id);
// 0x01 0x02 <region id> 0x01: the prefix of every log entry of the region.
std::string RaftLogKeyPrefix(uint64_t region_id);
// The key of the region's log entry `index` (raft engine).
std::string RaftLogKey(uint64_t region_id, uint64_t index);
// The key of the region's RaftLocalState (raft engine).
std::string RaftStateKey(uint64_t region_id);
// The key of the region's RaftApplyState (kv engine).
std::string ApplyStateKey(uint64_t region_id);
// 0x01 0x03 <region id>: the prefix of the region's meta keys (kv engine).
std::string RegionMetaPrefixKey(uint64_t region_id);
// The key of the region's RegionLocalState (kv engine).
std::string RegionStateKey(uint64_t region_id);

// The log index in a RaftLogKey; false when `key` is not one.
bool DecodeRaftLogKey(std::string_view key, uint64_t* region_id, uint64_t* index);
// The region and suffix of a RegionStateKey-shaped key; false when `key` is not one.
bool DecodeRegionMetaKey(std::string_view key, uint64_t* region_id, char* suffix);
bool IsRaftStateKey(std::string_view key);

// Big-endian encoding used inside the keys (exposed for tests and tools).
void AppendU64(std::string* out, uint64_t v);
uint64_t DecodeU64(std::string_view bytes);

// "01 02 00 00 00 00 00 00 00 01 01 ..." — for failure messages.
std::string DescribeKey(std::string_view key);

}  // namespace raftstore::meta
