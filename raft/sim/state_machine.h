#pragma once

// KvStateMachine: the application each simulated node applies its committed entries to. A
// tiny key-value map ("key=value" entries set a key; anything else, no-ops included, only
// moves the state on) plus a running digest over every entry applied, so that two nodes at
// the same applied index can be compared in O(1): equal digests mean they applied the same
// entries. Its encoding is the data of the snapshots the cluster creates on compaction.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "proto/eraftpb.pb.h"

namespace raft::sim {

class KvStateMachine {
 public:
  // Applies one committed entry. The caller checks the index follows applied().
  void Apply(const eraftpb::Entry& e);

  // The snapshot data for the current state.
  std::string Encode() const;
  // The state a snapshot's data describes; nullopt if the data is not one of ours.
  static std::optional<KvStateMachine> Decode(const std::string& data);

  uint64_t applied() const { return applied_; }
  uint64_t applied_term() const { return applied_term_; }
  // Identifies the sequence of entries applied so far.
  uint64_t digest() const { return digest_; }
  // How many "key=value" entries were applied.
  uint64_t writes() const { return writes_; }
  const std::map<std::string, std::string>& kv() const { return kv_; }
  // The value of `key`, or nullopt.
  std::optional<std::string> Get(const std::string& key) const;

  // The digest after applying an entry of (index, term, id hash) on top of `digest`.
  static uint64_t Step(uint64_t digest, uint64_t index, uint64_t term, uint64_t entry_hash);

 private:
  uint64_t applied_ = 0;
  uint64_t applied_term_ = 0;
  uint64_t digest_ = 0;
  uint64_t writes_ = 0;
  std::map<std::string, std::string> kv_;
};

}  // namespace raft::sim
