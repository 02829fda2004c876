#pragma once

// SimRuntime: a discrete-event simulation of the Runtime interface. One thread, virtual time,
// one seeded generator. Among the queues that have work at the current instant, which runs
// next is drawn from the generator, so tests explore different interleavings per seed while
// each seed replays exactly. Time only moves when nothing is runnable: then it jumps to the
// next timer.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "raftstore/runtime/runtime.h"

namespace runtime {

// One executed task: the trace a failing run can dump, and what determinism tests compare.
struct Event {
  Micros time = 0;
  QueueId queue;
  std::string label;

  friend bool operator==(const Event&, const Event&) = default;
  std::string ToString() const;
};

class SimRuntime : public Runtime {
 public:
  explicit SimRuntime(uint64_t seed);

  Micros Now() const override { return now_; }
  void Post(const QueueId& queue, std::string label, Task task) override;
  TimerId StartTimer(const QueueId& queue, Micros delay, std::string label, Task task) override;
  void CancelTimer(TimerId id) override;
  void RunAndWait(const QueueId& queue, std::string label, Task task) override;
  uint64_t Random(uint64_t n) override;

  // Runs one task (advancing time to the next timer if nothing is runnable now). Returns
  // false when there is nothing left to do at all.
  bool Step();
  // Runs until `done()` holds (checked between tasks) or virtual time passes `deadline`.
  // Returns whether `done()` held.
  bool RunUntil(const std::function<bool()>& done, Micros deadline);
  // Runs every task and timer due up to `Now() + duration`, then sets the clock there.
  void RunFor(Micros duration);

  // Drops every pending task and timer of a store, as if its process died (crash tests).
  void DropStore(uint64_t store_id);

  // Keep a trace of executed tasks (off by default: long runs make long traces).
  void set_tracing(bool on) { tracing_ = on; }
  const std::vector<Event>& trace() const { return trace_; }
  uint64_t tasks_run() const { return tasks_run_; }
  uint64_t seed() const { return seed_; }

 private:
  struct Pending {
    std::string label;
    Task task;
  };
  struct Timer {
    QueueId queue;
    std::string label;
    Task task;
  };

  void Run(const QueueId& queue, Pending p);
  // Moves the timers due at or before `now_` into their queues, in (time, id) order.
  void FireDueTimers();

  uint64_t seed_;
  std::mt19937_64 rng_;
  Micros now_ = 0;
  std::map<QueueId, std::deque<Pending>> queues_;
  // Queues with at least one pending task, kept ordered so a draw by index is deterministic.
  std::set<QueueId> runnable_;
  // (due time, id) -> timer; ids increase, so equal times fire in the order they were set.
  std::map<std::pair<Micros, TimerId>, Timer> timers_;
  std::map<TimerId, Micros> timer_due_;
  TimerId next_timer_ = 1;
  // The queues currently executing a task (RunAndWait nests), to run inline on re-entry.
  std::vector<QueueId> running_;
  bool tracing_ = false;
  std::vector<Event> trace_;
  uint64_t tasks_run_ = 0;
};

}  // namespace runtime
