#pragma once

// SimNetwork: the messages in flight between simulated nodes. A message put on the network
// at virtual tick t is delivered at t + delay (0 = within the same tick), unless a fault
// loses it. Faults:
//
//   drop        each message is lost with this probability
//   duplicate   each message that survives is delivered twice with this probability
//   max_delay   each copy is delayed by a number of ticks drawn from [0, max_delay]
//   reorder     messages due in the same tick are delivered in a random order (otherwise in
//               the order they were sent)
//   partitions  nodes in different groups cannot reach each other, checked both when a
//               message is sent and when it arrives (a partition cuts what is in flight)
//
// Every random choice comes from the seed given to the constructor.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <vector>

#include "proto/eraftpb.pb.h"
#include "raft/sim/sim_random.h"

namespace raft::sim {

struct NetworkFaults {
  double drop = 0;
  double duplicate = 0;
  int max_delay = 0;
  bool reorder = false;
};

class SimNetwork {
 public:
  explicit SimNetwork(uint64_t seed) : rng_(seed) {}

  void set_faults(const NetworkFaults& f) { faults_ = f; }
  const NetworkFaults& faults() const { return faults_; }

  // Splits the nodes into groups that cannot reach each other. Nodes listed in no group
  // stay together in the default group.
  void Partition(const std::vector<std::vector<uint64_t>>& groups);
  // Cuts one node off from every other.
  void Isolate(uint64_t id);
  // Removes every partition and isolation (not the drop, duplicate and delay faults).
  void Heal();
  bool Connected(uint64_t a, uint64_t b) const;
  bool partitioned() const { return !group_.empty(); }
  // "{1 2} {3 4 5}" — the current groups of `ids`, or "" when none.
  std::string DescribePartition(const std::vector<uint64_t>& ids) const;

  // What happened to a message handed to Send.
  struct SendResult {
    int copies = 0;    // 0, 1 or 2 (duplicated)
    bool cut = false;  // lost to a partition
    bool dropped = false;
  };
  // `tag` travels with the message and comes back from PopDue (timelines: the recorded
  // message's id); a duplicate's second copy carries `tag | kDuplicateTag`.
  SendResult Send(const eraftpb::Message& m, uint64_t now, uint64_t tag = 0);
  static constexpr uint64_t kDuplicateTag = uint64_t{1} << 63;

  // The next message due at or before `now`, if any; it still has to pass the partition
  // check of the moment (see Deliverable). `*tag` (if given) gets the tag it was sent with.
  std::unique_ptr<eraftpb::Message> PopDue(uint64_t now, uint64_t* tag = nullptr);
  bool Deliverable(const eraftpb::Message& m) const { return Connected(m.from(), m.to()); }

  size_t in_flight() const { return queue_.size(); }
  // Forgets every message in flight (e.g. a test that wants a quiet start).
  void Clear();

 private:
  struct InFlight {
    uint64_t due = 0;
    uint64_t order = 0;  // tie-break among messages due in the same tick
    uint64_t seq = 0;
    uint64_t tag = 0;
    // Behind a pointer so that the heap moves 8 bytes, not a message.
    std::unique_ptr<eraftpb::Message> msg;
  };
  struct Later {
    bool operator()(const InFlight& a, const InFlight& b) const {
      if (a.due != b.due) return a.due > b.due;
      if (a.order != b.order) return a.order > b.order;
      return a.seq > b.seq;
    }
  };
  void Enqueue(const eraftpb::Message& m, uint64_t now, uint64_t tag);

  SimRandom rng_;
  NetworkFaults faults_;
  std::map<uint64_t, uint64_t> group_;  // node -> group; absent = group 0
  uint64_t next_group_ = 1;
  uint64_t seq_ = 0;
  std::priority_queue<InFlight, std::vector<InFlight>, Later> queue_;
};

}  // namespace raft::sim
