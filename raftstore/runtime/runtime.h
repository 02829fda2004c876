#pragma once

// The small interface raftstore code is written against: named task queues (one per worker
// of each store), timers and the clock. Two implementations share it:
//   SimRuntime  — every store of a cluster in one thread, virtual time, one seeded generator
//                 for every choice: the same seed gives the same run, event for event (tests).
//   RealRuntime — one thread per queue and the real clock (the demo server).
// Code that runs on a queue never blocks on another queue except through RunAndWait, which
// both implementations can honour without deadlock.

#include <cstdint>
#include <functional>
#include <string>

namespace runtime {

// A worker of one store: tasks posted to the same queue run one at a time, in order.
struct QueueId {
  uint64_t store_id = 0;
  std::string worker;  // "raft", "store", "region", "raftlog-gc", ...

  friend bool operator==(const QueueId&, const QueueId&) = default;
  friend auto operator<=>(const QueueId&, const QueueId&) = default;
  std::string ToString() const { return "store " + std::to_string(store_id) + "/" + worker; }
};

using Task = std::function<void()>;
using TimerId = uint64_t;

// Microseconds since the runtime started (virtual in simulation).
using Micros = uint64_t;

class Runtime {
 public:
  virtual ~Runtime() = default;

  virtual Micros Now() const = 0;

  // Runs `task` on `queue`, after the tasks already posted there. `label` names the task in
  // event traces ("raft tick", "region gen"); it should not contain the queue's name.
  virtual void Post(const QueueId& queue, std::string label, Task task) = 0;

  // Posts `task` to `queue` once `delay` has passed. Cancel before it fires to drop it.
  virtual TimerId StartTimer(const QueueId& queue, Micros delay, std::string label, Task task) = 0;
  virtual void CancelTimer(TimerId id) = 0;

  // Runs `task` on `queue` and returns once it has run (with every task posted to that queue
  // before it). Called from a task on another queue, e.g. the raft worker waiting for the
  // region worker to apply a snapshot. Calling it for the queue the caller runs on runs the
  // task inline.
  virtual void RunAndWait(const QueueId& queue, std::string label, Task task) = 0;

  // A uniformly random number in [0, n), n > 0. The only randomness raftstore code may use,
  // so that a simulated run is replayable from its seed.
  virtual uint64_t Random(uint64_t n) = 0;
};

}  // namespace runtime
