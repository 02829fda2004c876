#pragma once

// The record of what clients asked a cluster and what it answered, for the linearizability
// check (linearizability.h). Every client operation is recorded twice: when the client
// invokes it and when the client receives the answer. The order between those two moments is
// the real-time order linearizability is defined against; in a simulated run that order is
// the order in which the one thread recorded them, so the history keeps a sequence number per
// event (exact, even when several events share a virtual microsecond) and the virtual time
// (for messages).

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace raftstore::testing {

enum class OpKind { kGet, kPut, kDelete };

const char* OpKindName(OpKind kind);

// The column family of operations that name none (TinyKV's CfDefault).
inline constexpr const char* kDefaultCf = "default";

// One client operation on one key of one column family.
struct Operation {
  // Sequence numbers of the invoke and response events; kPending when the client never
  // learned the outcome (e.g. a write whose answer was lost): it may take effect at any point
  // after its invoke, or never.
  static constexpr uint64_t kPending = std::numeric_limits<uint64_t>::max();

  int client = 0;
  OpKind kind = OpKind::kGet;
  // A key is a register per column family: Put("k") in `lock` leaves Get("k") in `default`
  // alone.
  std::string cf = kDefaultCf;
  std::string key;
  // Put: the value written. Get: the value read (meaningful only when `found`).
  std::string value;
  // Get: whether the key existed.
  bool found = false;

  uint64_t invoke_seq = 0;
  uint64_t response_seq = kPending;
  // Virtual time in microseconds, for messages only.
  uint64_t invoke_time = 0;
  uint64_t response_time = 0;
  // The Raft log index of the entry that carried the command the client got its answer for
  // (0: not known). A store applies its log in order, so operations that both have one must
  // take effect in the order of their indexes (linearizability.h).
  uint64_t log_index = 0;

  bool pending() const { return response_seq == kPending; }
  // "client 2 Put("k", "v") [1.250000s .. 1.263400s]", "client 1 Get(lock:"k") -> absent
  // [...] @57" (the cf when it is not default; the log index when known).
  std::string ToString() const;
};

class History {
 public:
  using OpId = size_t;

  // Records the invocation of an operation; `value` is the value written by a Put.
  OpId Invoke(int client, OpKind kind, std::string cf, std::string key, std::string value,
              uint64_t time);
  // The same in the default column family.
  OpId Invoke(int client, OpKind kind, std::string key, std::string value, uint64_t time) {
    return Invoke(client, kind, kDefaultCf, std::move(key), std::move(value), time);
  }
  // Records a Get's answer: `value` is what it read, std::nullopt when the key was absent.
  void ReturnGet(OpId id, std::optional<std::string> value, uint64_t time);
  // Records that a Put or Delete completed.
  void ReturnWrite(OpId id, uint64_t time);
  // Records nothing more: the operation stays pending (its outcome is unknown). Provided for
  // readability at call sites; equivalent to never calling a Return.
  void Abandon(OpId) {}
  // Records where in the Raft log the answered operation took effect (Operation::log_index).
  void SetLogIndex(OpId id, uint64_t index) { ops_.at(id).log_index = index; }
  const Operation& at(OpId id) const { return ops_.at(id); }
  // Records a second, pending copy of write `id` (same kind, key, value and invoke): an
  // earlier attempt of it that got no answer and may still take effect at any later time.
  OpId AddPendingCopy(OpId id);
  // Forgets an invoked operation that certainly had no effect (a read that timed out, a write
  // the cluster refused before proposing it).
  void Discard(OpId id);

  // The operations recorded so far (discarded ones left out).
  std::vector<Operation> Operations() const;
  size_t size() const { return ops_.size(); }

 private:
  std::vector<Operation> ops_;
  std::vector<bool> discarded_;
  uint64_t next_seq_ = 0;
};

}  // namespace raftstore::testing
