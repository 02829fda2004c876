#pragma once
// The input format of the fuzz targets that take a series of messages (RaftMessages from other
// stores, raft commands): each a 2-byte big-endian length and then its bytes (make_seeds.cc
// writes its seeds this way).
#include <cstddef>
#include <cstdint>

#include "proto/raft_serverpb.pb.h"

namespace fuzz {

// Calls fn(bytes, length, step) for each frame of the input (a 2-byte big-endian length, then
// that many bytes). At most 64 frames, so a long input can't make one run slow; a length past
// the end stops it.
template <typename Fn>
void ForEachFrame(const uint8_t* data, size_t size, Fn fn) {
  size_t pos = 0;
  for (int step = 0; pos + 2 <= size && step < 64; ++step) {
    const size_t len = (static_cast<size_t>(data[pos]) << 8) | data[pos + 1];
    pos += 2;
    if (len > size - pos) return;
    fn(data + pos, len, step);
    pos += len;
  }
}

// Calls fn(message, step) for each framed message that parses, as the transport delivers
// them (it drops what does not parse); `step` counts every frame, parsed or not.
template <typename Fn>
void ForEachRaftMessage(const uint8_t* data, size_t size, Fn fn) {
  ForEachFrame(data, size, [&](const uint8_t* bytes, size_t len, int step) {
    raft_serverpb::RaftMessage msg;
    if (msg.ParseFromArray(bytes, static_cast<int>(len))) fn(msg, step);
  });
}

}  // namespace fuzz
