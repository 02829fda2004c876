#pragma once

// CRC-32C (Castagnoli), the checksum of snapshot files and of the chunks they travel in.
// A software table: snapshots are checksummed once when built and once when received, which
// is cheap next to writing the SST files.

#include <cstdint>
#include <string_view>

namespace raftstore::snap {

// The CRC-32C of `data`, continuing from `crc` (the CRC of the bytes before it; 0 to start).
uint32_t Crc32c(std::string_view data, uint32_t crc = 0);

}  // namespace raftstore::snap
