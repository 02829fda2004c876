#pragma once

// CRC-32C (Castagnoli), the checksum of snapshot files and of the chunks they travel in.
// Uses the CPU's CRC-32C instruction where there is one (SSE4.2), a table otherwise.

#include <cstdint>
#include <string_view>

namespace raftstore::snap {

// The CRC-32C of `data`, continuing from `crc` (the CRC of the bytes before it; 0 to start).
uint32_t Crc32c(std::string_view data, uint32_t crc = 0);

// The same checksum, always computed with the table (to test the fast path against).
uint32_t Crc32cPortable(std::string_view data, uint32_t crc = 0);

}  // namespace raftstore::snap
