#include "raftstore/runtime/sim_runtime.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <stdexcept>

namespace runtime {

std::string Event::ToString() const {
  return std::to_string(time) + "us " + queue.ToString() + " " + label;
}

SimRuntime::SimRuntime(uint64_t seed)
    : seed_(seed), rng_(seed), preempt_rng_(seed ^ 0x5eed'9e37'79b9'7f4aULL) {}

uint64_t SimRuntime::Random(uint64_t n) {
  return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng_);
}

void SimRuntime::Post(const QueueId& queue, std::string label, Task task) {
  if (post_delay_) {
    auto line = delayed_posts_.find(queue);
    const Micros delay = post_delay_(queue);
    if (delay > 0 || line != delayed_posts_.end()) {
      // A slow worker: the task waits for its turn behind every delayed post before it.
      Micros due = now_ + delay;
      if (line != delayed_posts_.end()) due = std::max(due, line->second.second);
      auto& [pending, last_due] = delayed_posts_[queue];
      ++pending;
      last_due = due;
      const TimerId id = next_timer_++;
      timers_.emplace(std::make_pair(due, id),
                      Timer{queue, std::move(label), std::move(task), /*delayed_post=*/true});
      timer_due_[id] = due;
      return;
    }
  }
  queues_[queue].push_back(Pending{std::move(label), std::move(task)});
  runnable_.insert(queue);
}

uint64_t SimRuntime::AddAfterTaskHook(AfterTaskHook hook) {
  const uint64_t id = next_hook_++;
  after_task_hooks_.emplace_back(id, std::move(hook));
  return id;
}

void SimRuntime::RemoveAfterTaskHook(uint64_t id) {
  std::erase_if(after_task_hooks_, [id](const auto& h) { return h.first == id; });
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
  if (running_.size() > 1) {
    // Nested in another task (RunAndWait): a StoreCrash unwinds to the outermost task.
    struct Pop {
      std::vector<QueueId>& running;
      ~Pop() { running.pop_back(); }
    } pop{running_};
    p.task();
    return;
  }
  std::optional<StoreCrash> crash;
  try {
    p.task();
  } catch (StoreCrash& c) {
    crash = std::move(c);
  } catch (...) {
    running_.clear();
    throw;
  }
  running_.clear();
  if (crash) {
    // The task's captures go before the store they may point into.
    p.task = nullptr;
    if (!crash_handler_) throw *crash;
    crash_handler_(*crash);
  }
  // By index: a hook may remove itself.
  for (size_t i = 0; i < after_task_hooks_.size(); ++i) after_task_hooks_[i].second(queue, p.label);
}

void SimRuntime::RunAndWait(const QueueId& queue, std::string label, Task task) {
  if (std::find(running_.begin(), running_.end(), queue) != running_.end()) {
    // Already inside a task of that queue: its earlier tasks are done or are us.
    Run(queue, Pending{std::move(label), std::move(task)});
    return;
  }
  // Run that worker's backlog first (it is FIFO), then the task itself, all right here: the
  // waiting caller is suspended exactly as long as the worker needs, in virtual time zero.
  if (delayed_posts_.count(queue)) flushDelayedPosts(queue);
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

std::vector<std::string> SimRuntime::PreemptionPoint() {
  std::vector<std::string> ran;
  if (preemption_.percent == 0 || running_.empty() || preempting_) return ran;
  const uint64_t store = running_.back().store_id;
  auto candidates = [&] {
    std::vector<QueueId> out;
    // runnable_ is ordered by (store, worker): the store's queues are one run of it.
    for (auto it = runnable_.lower_bound(QueueId{store, ""});
         it != runnable_.end() && it->store_id == store; ++it) {
      if (preemption_.workers.count(it->worker) &&
          std::find(running_.begin(), running_.end(), *it) == running_.end()) {
        out.push_back(*it);
      }
    }
    return out;
  };
  std::vector<QueueId> can = candidates();
  if (can.empty()) return ran;
  preempting_ = true;
  struct Reset {
    bool& flag;
    ~Reset() { flag = false; }
  } reset{preempting_};
  const std::string overtaken = running_.back().ToString();
  while (!can.empty() && ran.size() < kMaxPreemptingTasks &&
         preempt_rng_() % 100 < preemption_.percent) {
    const QueueId queue = can[preempt_rng_() % can.size()];
    std::deque<Pending>& q = queues_[queue];
    Pending p = std::move(q.front());
    q.pop_front();
    if (q.empty()) runnable_.erase(queue);
    ran.push_back(queue.ToString() + " " + p.label);
    if (ran.size() == 1) ++preemptions_;
    ++tasks_preempted_;
    p.label += " (overtaking " + overtaken + ")";
    Run(queue, std::move(p));
    can = candidates();
  }
  return ran;
}

void SimRuntime::fire(std::map<std::pair<Micros, TimerId>, Timer>::iterator it) {
  auto node = timers_.extract(it);
  timer_due_.erase(node.key().second);
  Timer& t = node.mapped();
  if (!t.delayed_post) {
    Post(t.queue, std::move(t.label), std::move(t.task));
    return;
  }
  auto line = delayed_posts_.find(t.queue);
  if (line != delayed_posts_.end() && --line->second.first == 0) delayed_posts_.erase(line);
  queues_[t.queue].push_back(Pending{std::move(t.label), std::move(t.task)});
  runnable_.insert(t.queue);
}

void SimRuntime::FireDueTimers() {
  while (!timers_.empty() && timers_.begin()->first.first <= now_) fire(timers_.begin());
}

void SimRuntime::flushDelayedPosts(const QueueId& queue) {
  // In (due, id) order, which is the order they were posted in.
  for (auto it = timers_.begin(); it != timers_.end() && delayed_posts_.count(queue);) {
    auto next = std::next(it);
    if (it->second.delayed_post && it->second.queue == queue) fire(it);
    it = next;
  }
}

bool SimRuntime::Step() {
  FireDueTimers();
  if (runnable_.empty()) {
    if (timers_.empty()) return false;
    now_ = std::max(now_, timers_.begin()->first.first);
    FireDueTimers();
    // The timers that fired may all have been posts to slow workers, now due later (see
    // SetPostDelay): time moved, nothing to run yet.
    if (runnable_.empty()) return true;
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
  for (auto it = delayed_posts_.begin(); it != delayed_posts_.end();) {
    it = it->first.store_id == store_id ? delayed_posts_.erase(it) : std::next(it);
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
