#pragma once

// Names one region snapshot: the region and the log position (term, index) it was taken at.
// Files of the snapshot are named after it, so two snapshots of a region never share files.

#include <cstdint>
#include <string>

namespace raftstore::snap {

struct SnapKey {
  uint64_t region_id = 0;
  uint64_t term = 0;
  uint64_t index = 0;

  friend bool operator==(const SnapKey&, const SnapKey&) = default;
  friend auto operator<=>(const SnapKey&, const SnapKey&) = default;

  // "region 2 at 8@31" (term 8, index 31), for logs and errors.
  std::string ToString() const {
    return "region " + std::to_string(region_id) + " at " + std::to_string(term) + "@" +
           std::to_string(index);
  }
  // "2_8_31": the stem of the snapshot's file names.
  std::string FileStem() const {
    return std::to_string(region_id) + "_" + std::to_string(term) + "_" + std::to_string(index);
  }
};

}  // namespace raftstore::snap
