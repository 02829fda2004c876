#pragma once

// The live cluster's static membership: which stores exist and where they listen. There is no
// scheduler in these labs, so every server and client is told the whole list, either inline
// ("1=127.0.0.1:20161,2=127.0.0.1:20162,3=127.0.0.1:20163") or in a file of "id address"
// lines (# starts a comment), passed as "@path".

#include <cstdint>
#include <map>
#include <string>

#include "kv/engine_util/status.h"
#include "proto/metapb.pb.h"

namespace server {

struct ClusterConfig {
  // Store id -> "host:port".
  std::map<uint64_t, std::string> stores;

  // Parses the inline list or, for "@path", the file. Errors name the bad entry.
  static kv::Result<ClusterConfig> Parse(const std::string& spec);
  static kv::Result<ClusterConfig> ParseList(const std::string& list);
  static kv::Result<ClusterConfig> ParseFile(const std::string& path);

  // The one region of the labs as bootstrapped on every store: id 1, every key, a peer on
  // each store with peer id 100 + store id (as in the simulated cluster, so that store and
  // peer ids can't be confused).
  metapb::Region InitialRegion() const;

  // "1=127.0.0.1:20161,2=..." (what ParseList reads).
  std::string ToString() const;
};

inline constexpr uint64_t kRegionId = 1;
inline constexpr uint64_t kClusterId = 1;
inline uint64_t PeerIdOf(uint64_t store_id) { return 100 + store_id; }

}  // namespace server
