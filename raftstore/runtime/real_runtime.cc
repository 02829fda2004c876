#include "raftstore/runtime/real_runtime.h"

#include <future>

namespace runtime {

namespace {
// The queue whose worker thread is running the current task, for inline RunAndWait.
thread_local const QueueId* current_queue = nullptr;
}  // namespace

RealRuntime::RealRuntime(uint64_t seed)
    : start_(std::chrono::steady_clock::now()),
      rng_(seed),
      timer_thread_([this] { TimerLoop(); }) {}

RealRuntime::~RealRuntime() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  timer_cv_.notify_all();
  timer_thread_.join();
  for (auto& [id, w] : workers_) {
    {
      std::lock_guard<std::mutex> lock(w->mu);
      w->tasks.clear();
    }
    w->cv.notify_all();
    w->thread.join();
  }
}

Micros RealRuntime::Now() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                               start_)
      .count();
}

uint64_t RealRuntime::Random(uint64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng_);
}

RealRuntime::Worker& RealRuntime::WorkerFor(const QueueId& queue) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = workers_[queue];
  if (!slot) {
    slot = std::make_unique<Worker>();
    Worker* w = slot.get();
    const QueueId* name = &workers_.find(queue)->first;
    w->thread = std::thread([this, w, name] {
      current_queue = name;
      WorkerLoop(w);
    });
  }
  return *slot;
}

void RealRuntime::WorkerLoop(Worker* w) {
  for (;;) {
    Task task;
    {
      std::unique_lock<std::mutex> lock(w->mu);
      w->cv.wait(lock, [&] {
        std::lock_guard<std::mutex> g(mu_);
        return stopping_ || !w->tasks.empty();
      });
      if (w->tasks.empty()) return;  // stopping
      task = std::move(w->tasks.front());
      w->tasks.pop_front();
    }
    task();
  }
}

void RealRuntime::Post(const QueueId& queue, std::string /*label*/, Task task) {
  Worker& w = WorkerFor(queue);
  {
    std::lock_guard<std::mutex> lock(w.mu);
    w.tasks.push_back(std::move(task));
  }
  w.cv.notify_one();
}

TimerId RealRuntime::StartTimer(const QueueId& queue, Micros delay, std::string label, Task task) {
  TimerId id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = next_timer_++;
    const Micros due = Now() + delay;
    timers_.emplace(std::make_pair(due, id), Timer{queue, std::move(label), std::move(task)});
    timer_due_[id] = due;
  }
  timer_cv_.notify_all();
  return id;
}

void RealRuntime::CancelTimer(TimerId id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = timer_due_.find(id);
  if (it == timer_due_.end()) return;
  timers_.erase({it->second, id});
  timer_due_.erase(it);
}

void RealRuntime::TimerLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    if (timers_.empty()) {
      timer_cv_.wait(lock);
      continue;
    }
    const Micros due = timers_.begin()->first.first;
    const Micros now = Now();
    if (due > now) {
      timer_cv_.wait_for(lock, std::chrono::microseconds(due - now));
      continue;
    }
    auto node = timers_.extract(timers_.begin());
    timer_due_.erase(node.key().second);
    lock.unlock();
    Post(node.mapped().queue, std::move(node.mapped().label), std::move(node.mapped().task));
    lock.lock();
  }
}

void RealRuntime::RunAndWait(const QueueId& queue, std::string label, Task task) {
  if (current_queue != nullptr && *current_queue == queue) {
    task();
    return;
  }
  std::promise<void> done;
  std::future<void> finished = done.get_future();
  Post(queue, std::move(label), [&] {
    task();
    done.set_value();
  });
  finished.wait();
}

}  // namespace runtime
