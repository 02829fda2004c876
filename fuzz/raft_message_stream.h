#pragma once
// The input format of the fuzz targets that take messages from other stores: a series of
// RaftMessages, each a 2-byte big-endian length and then the message's bytes (make_seeds.cc
// writes its seeds this way).
#include <cstddef>
#include <cstdint>

#include "proto/raft_serverpb.pb.h"

namespace fuzz {

// Calls fn(message, step) for each framed message that parses, as the transport delivers
// them (it drops what does not parse); `step` counts every frame, parsed or not. At most
// 64 frames, so a long input can't make one run slow; a length past the end stops it.
template <typename Fn>
void ForEachRaftMessage(const uint8_t* data, size_t size, Fn fn) {
  size_t pos = 0;
  for (int step = 0; pos + 2 <= size && step < 64; ++step) {
    const size_t len = (static_cast<size_t>(data[pos]) << 8) | data[pos + 1];
    pos += 2;
    if (len > size - pos) return;
    raft_serverpb::RaftMessage msg;
    const bool parsed = msg.ParseFromArray(data + pos, static_cast<int>(len));
    pos += len;
    if (parsed) fn(msg, step);
  }
}

}  // namespace fuzz
