#pragma once

// RealRuntime: the Runtime interface on the real clock, one thread per queue (created on the
// first Post to it), and one timer thread. Good enough to run a whole cluster in one process
// for the demo; tests use SimRuntime instead.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "raftstore/runtime/runtime.h"

namespace runtime {

class RealRuntime : public Runtime {
 public:
  explicit RealRuntime(uint64_t seed);
  // Stops every worker after the task it is running; pending tasks are dropped.
  ~RealRuntime() override;

  Micros Now() const override;
  void Post(const QueueId& queue, std::string label, Task task) override;
  TimerId StartTimer(const QueueId& queue, Micros delay, std::string label, Task task) override;
  void CancelTimer(TimerId id) override;
  void RunAndWait(const QueueId& queue, std::string label, Task task) override;
  uint64_t Random(uint64_t n) override;

 private:
  struct Worker {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<Task> tasks;
    std::thread thread;
  };
  struct Timer {
    QueueId queue;
    std::string label;
    Task task;
  };

  Worker& WorkerFor(const QueueId& queue);
  void WorkerLoop(Worker* w);
  void TimerLoop();

  const std::chrono::steady_clock::time_point start_;
  std::mutex mu_;  // guards workers_, timers_, timer_due_, next_timer_, stopping_, rng_
  std::condition_variable timer_cv_;
  bool stopping_ = false;
  std::map<QueueId, std::unique_ptr<Worker>> workers_;
  std::map<std::pair<Micros, TimerId>, Timer> timers_;
  std::map<TimerId, Micros> timer_due_;
  TimerId next_timer_ = 1;
  std::mt19937_64 rng_;
  std::thread timer_thread_;
};

}  // namespace runtime
