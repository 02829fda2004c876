#include "raftstore/runtime/sim_runtime.h"

#include <algorithm>
#include <iterator>
#include <stdexcept>

namespace runtime {

std::string Event::ToString() const {
  return std::to_string(time) + "us " + queue.ToString() + " " + label;
}

SimRuntime::SimRuntime(uint64_t seed) : seed_(seed), rng_(seed) {}

uint64_t SimRuntime::Random(uint64_t n) {
  return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng_);
}

void SimRuntime::Post(const QueueId& queue, std::string label, Task task) {
  queues_[queue].push_back(Pending{std::move(label), std::move(task)});
  runnable_.insert(queue);
}

TimerId SimRuntime::StartTimer(const QueueId& queue, Micros delay, std::string label, Task task) {
  const TimerId id = next_timer_++;
  timers_.emplace(std::make_pair(now_ + delay, id),
                  Timer{queue, std::move(label), std::move(task)});
  timer_due_[id] = now_ + delay;
  return id;
}

void SimRuntime::CancelTimer(TimerId id) {
  auto it = timer_due_.find(id);
  if (it == timer_due_.end()) return;
  timers_.erase({it->second, id});
  timer_due_.erase(it);
}

void SimRuntime::Run(const QueueId& queue, Pending p) {
  if (tracing_) trace_.push_back(Event{now_, queue, p.label});
  ++tasks_run_;
  running_.push_back(queue);
  p.task();
  running_.pop_back();
}

void SimRuntime::RunAndWait(const QueueId& queue, std::string label, Task task) {
  if (std::find(running_.begin(), running_.end(), queue) != running_.end()) {
    // Already inside a task of that queue: its earlier tasks are done or are us.
    Run(queue, Pending{std::move(label), std::move(task)});
    return;
  }
  // Run that worker's backlog first (it is FIFO), then the task itself, all right here: the
  // waiting caller is suspended exactly as long as the worker needs, in virtual time zero.
  auto it = queues_.find(queue);
  while (it != queues_.end() && !it->second.empty()) {
    Pending p = std::move(it->second.front());
    it->second.pop_front();
    if (it->second.empty()) runnable_.erase(queue);
    Run(queue, std::move(p));
    it = queues_.find(queue);
  }
  Run(queue, Pending{std::move(label), std::move(task)});
}

void SimRuntime::FireDueTimers() {
  while (!timers_.empty() && timers_.begin()->first.first <= now_) {
    auto node = timers_.extract(timers_.begin());
    timer_due_.erase(node.key().second);
    Post(node.mapped().queue, std::move(node.mapped().label), std::move(node.mapped().task));
  }
}

bool SimRuntime::Step() {
  FireDueTimers();
  if (runnable_.empty()) {
    if (timers_.empty()) return false;
    now_ = std::max(now_, timers_.begin()->first.first);
    FireDueTimers();
  }
  // Which worker runs next among those with work is the run's seeded choice.
  auto pick = runnable_.begin();
  std::advance(pick, static_cast<long>(Random(runnable_.size())));
  const QueueId queue = *pick;
  std::deque<Pending>& q = queues_[queue];
  Pending p = std::move(q.front());
  q.pop_front();
  if (q.empty()) runnable_.erase(queue);
  Run(queue, std::move(p));
  return true;
}

bool SimRuntime::RunUntil(const std::function<bool()>& done, Micros deadline) {
  while (!done()) {
    FireDueTimers();
    const bool idle_now = runnable_.empty();
    if (idle_now && (timers_.empty() || timers_.begin()->first.first > deadline)) {
      now_ = std::max(now_, deadline);
      return done();
    }
    if (!Step()) return done();
  }
  return true;
}

void SimRuntime::RunFor(Micros duration) {
  const Micros end = now_ + duration;
  for (;;) {
    FireDueTimers();
    if (runnable_.empty() && (timers_.empty() || timers_.begin()->first.first > end)) break;
    Step();
  }
  now_ = std::max(now_, end);
}

void SimRuntime::DropStore(uint64_t store_id) {
  for (auto it = queues_.begin(); it != queues_.end();) {
    if (it->first.store_id == store_id) {
      runnable_.erase(it->first);
      it = queues_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto it = timers_.begin(); it != timers_.end();) {
    if (it->second.queue.store_id == store_id) {
      timer_due_.erase(it->first.second);
      it = timers_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace runtime
