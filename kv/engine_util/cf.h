#pragma once

// Column family names. The kv engine keeps user data in `default`, `lock` and `write` (the
// three families of Percolator-style transactions; lab 1 uses them as independent key
// spaces). Both engines also have `raft`, where every meta value (SetMeta/GetMeta: raft log
// entries, RaftLocalState, RaftApplyState, RegionLocalState) lives, so that a scan over user
// data never meets a meta key and deleting a region's data never deletes its state.

#include <string>
#include <string_view>
#include <vector>

namespace kv {

inline constexpr std::string_view kCfDefault = "default";
inline constexpr std::string_view kCfLock = "lock";
inline constexpr std::string_view kCfWrite = "write";
// The meta column family (see above). Not for user data.
inline constexpr std::string_view kCfRaft = "raft";

// The user-data column families, in this order: default, lock, write.
const std::vector<std::string>& DataCfs();

// Whether `cf` is one of DataCfs(): what a command or snapshot from outside may name.
bool IsDataCf(std::string_view cf);

}  // namespace kv
