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
#include <unordered_map>
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

// Thrown from inside a task by a test's crash point (raftstore/testing/crash_points.h) to
// crash the store that task belongs to, there and then. SimRuntime unwinds the task (and
// every task it is nested in through RunAndWait), then hands it to the crash handler, which
// throws the store away. Deliberately not a std::exception: no `catch (const std::exception&)`
// in the code under test may swallow it.
struct StoreCrash {
  uint64_t store_id = 0;
  // Where it happened, for messages: "before its write batch of 3 ops to the kv engine".
  std::string where;
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

  // ---- Hooks for tests (audits, crash points, worker faults); each costs nothing unset. ----

  // Runs `hook` after every task that Step (RunUntil, RunFor) ran, with its queue and label,
  // once the task has returned (or crashed, after the crash handler). A task run inside
  // another through RunAndWait is part of that task: the hook runs once the outer one is
  // done, so it always sees the stores between two tasks. A hook may post tasks and start
  // timers, but must not run the simulation. Returns an id for RemoveAfterTaskHook.
  using AfterTaskHook = std::function<void(const QueueId& queue, const std::string& label)>;
  uint64_t AddAfterTaskHook(AfterTaskHook hook);
  void RemoveAfterTaskHook(uint64_t id);

  // Called (outside any task) when a task threw StoreCrash. Without a handler a StoreCrash
  // propagates to whoever runs the simulation.
  using CrashHandler = std::function<void(const StoreCrash&)>;
  void set_crash_handler(CrashHandler handler) { crash_handler_ = std::move(handler); }

  // The queue whose task is running right now (the innermost one under RunAndWait), or null
  // between tasks.
  const QueueId* current_queue() const { return running_.empty() ? nullptr : &running_.back(); }

  // A slow worker: every task posted to a queue named `worker` (of any store) becomes runnable
  // only after a delay drawn by `delay` (0: at once). A queue stays FIFO: a task never
  // overtakes one posted before it, and RunAndWait on the queue first runs everything posted
  // to it, delayed or not (the waiter waits for the slow worker, in zero virtual time).
  using PostDelayFn = std::function<Micros(const QueueId& queue)>;
  void SetPostDelay(PostDelayFn delay) { post_delay_ = std::move(delay); }

  // ---- Preemption points: the concurrency one thread would hide. ----
  //
  // In this simulation a task runs to completion before another task of the same store
  // starts; real workers are threads, and a task posted to the raftlog-gc or region worker can
  // run while its poster is still between two instructions, before the poster's next engine
  // write has landed. A preemption point is such a place (the cluster calls it before every
  // engine write and every send of a store): with the configured probability, runnable tasks
  // of the running task's store's other workers run right there, nested, one or more, each
  // chosen from a generator seeded from the run's seed. Only the named workers overtake (by
  // default "region" and "raftlog-gc": tasks that never wait for another queue), never a
  // queue that is running or suspended under RunAndWait, never a task a slow worker
  // (SetPostDelay) has not made runnable yet, and never inside another preemption.
  // Determinism: the preemption generator is separate from Random()'s and draws only at points
  // where some task could overtake, so a run where no worker has work is the run it was without
  // preemption points.
  struct PreemptionOptions {
    // Percent chance, at a point where some worker could overtake, that one does; after it
    // ran, the same chance that another does too (at most kMaxPreemptingTasks).
    uint32_t percent = 0;
    std::set<std::string> workers = {"region", "raftlog-gc"};
  };
  static constexpr int kMaxPreemptingTasks = 8;
  void SetPreemption(PreemptionOptions options) { preemption_ = std::move(options); }
  const PreemptionOptions& preemption() const { return preemption_; }
  // Called by the running task (nothing happens between tasks). Returns the labels of the
  // tasks that overtook it here, in the order they ran ("store 2/raftlog-gc raftlog-gc region 1
  // [6, 16)"); empty if none did. A StoreCrash thrown by one of them crashes the store as if
  // thrown by the running task.
  std::vector<std::string> PreemptionPoint();
  // Points at which some task overtook the running one, and how many tasks did.
  uint64_t preemptions() const { return preemptions_; }
  uint64_t tasks_preempted() const { return tasks_preempted_; }

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
    // A task posted to a slow worker (SetPostDelay): when due, it joins its queue directly.
    bool delayed_post = false;
  };

  void Run(const QueueId& queue, Pending p);
  // Moves the timers due at or before `now_` into their queues, in (time, id) order.
  void FireDueTimers();
  void fire(std::map<std::pair<Micros, TimerId>, Timer>::iterator it);
  // Makes every delayed post of `queue` runnable now (RunAndWait waits for the slow worker).
  void flushDelayedPosts(const QueueId& queue);

  uint64_t seed_;
  std::mt19937_64 rng_;
  Micros now_ = 0;
  std::map<QueueId, std::deque<Pending>> queues_;
  // Queues with at least one pending task, kept ordered so a draw by index is deterministic.
  std::set<QueueId> runnable_;
  // (due time, id) -> timer; ids increase, so equal times fire in the order they were set.
  std::map<std::pair<Micros, TimerId>, Timer> timers_;
  // id -> due time, to find a timer to cancel (never walked: no order needed).
  std::unordered_map<TimerId, Micros> timer_due_;
  TimerId next_timer_ = 1;
  // The queues currently executing a task (RunAndWait nests), to run inline on re-entry.
  std::vector<QueueId> running_;
  bool tracing_ = false;
  std::vector<Event> trace_;
  uint64_t tasks_run_ = 0;
  std::vector<std::pair<uint64_t, AfterTaskHook>> after_task_hooks_;
  uint64_t next_hook_ = 1;
  CrashHandler crash_handler_;
  PostDelayFn post_delay_;
  // Per slow queue: how many delayed posts are pending, and when the last one is due.
  std::map<QueueId, std::pair<uint64_t, Micros>> delayed_posts_;
  PreemptionOptions preemption_;
  // Its own generator, so that preemption draws do not shift the run's other choices.
  std::mt19937_64 preempt_rng_;
  bool preempting_ = false;
  uint64_t preemptions_ = 0;
  uint64_t tasks_preempted_ = 0;
};

}  // namespace runtime
