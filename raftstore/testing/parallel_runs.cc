#include "raftstore/testing/parallel_runs.h"

#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

namespace raftstore::testing {
namespace {

double ProcessCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

RunOutcome RunOne(const GenericTestOptions& options) {
  GenericTestReport report;
  const double cpu_before = ProcessCpuSeconds();
  ::testing::AssertionResult result = RunGenericTest(options, &report);
  RunOutcome out;
  out.cpu_seconds = ProcessCpuSeconds() - cpu_before;
  out.ok = static_cast<bool>(result);
  if (!out.ok) out.message = result.message();
  out.wall_seconds = report.wall_seconds;
  out.events = report.events;
  out.ops = report.ops();
  return out;
}

// A finished run's outcome, on the file its process leaves: ok, wall, cpu, events, ops,
// message length, then the message bytes. Read back only after that process exited.
void WriteOutcome(std::FILE* f, const RunOutcome& o) {
  std::fprintf(f, "%d %.6f %.6f %llu %llu %zu\n", o.ok ? 1 : 0, o.wall_seconds, o.cpu_seconds,
               static_cast<unsigned long long>(o.events), static_cast<unsigned long long>(o.ops),
               o.message.size());
  std::fwrite(o.message.data(), 1, o.message.size(), f);
  std::fflush(f);
}

bool ReadOutcome(std::FILE* f, RunOutcome* o) {
  std::rewind(f);
  int ok = 0;
  size_t length = 0;
  unsigned long long events = 0, ops = 0;
  if (std::fscanf(f, "%d %lf %lf %llu %llu %zu", &ok, &o->wall_seconds, &o->cpu_seconds, &events,
                  &ops, &length) != 6 ||
      std::fgetc(f) != '\n') {
    return false;
  }
  o->ok = ok != 0;
  o->events = events;
  o->ops = ops;
  o->message.resize(length);
  return length == 0 || std::fread(o->message.data(), 1, length, f) == length;
}

[[noreturn]] void Die(const char* what) {
  std::perror(what);
  std::exit(2);
}

}  // namespace

std::vector<RunOutcome> RunInParallel(const std::vector<GenericTestOptions>& runs, int jobs) {
  std::vector<RunOutcome> out(runs.size());
  if (jobs <= 1) {
    for (size_t i = 0; i < runs.size(); ++i) out[i] = RunOne(runs[i]);
    return out;
  }
  // One process per run: a run that crashes takes nothing else with it.
  struct Running {
    size_t index;
    std::FILE* results;
  };
  std::map<pid_t, Running> running;
  size_t next = 0;
  while (next < runs.size() || !running.empty()) {
    while (next < runs.size() && running.size() < static_cast<size_t>(jobs)) {
      std::FILE* results = std::tmpfile();
      if (results == nullptr) Die("stress: tmpfile");
      std::fflush(nullptr);  // or the child would print this process's buffered output again
      const pid_t pid = fork();
      if (pid < 0) Die("stress: fork");
      if (pid == 0) {
        WriteOutcome(results, RunOne(runs[next]));
        std::fflush(nullptr);
        _exit(0);
      }
      running[pid] = Running{next++, results};
    }
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) Die("stress: waitpid");
    auto it = running.find(pid);
    if (it == running.end()) continue;
    RunOutcome& o = out[it->second.index];
    if (WIFSIGNALED(status)) {
      o.ok = false;
      o.message = std::string("the run's process died of signal ") +
                  std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
    } else if (!ReadOutcome(it->second.results, &o)) {
      o.ok = false;
      o.message = "the run's process exited (status " + std::to_string(status) +
                  ") without reporting a result";
    }
    std::fclose(it->second.results);
    running.erase(it);
  }
  return out;
}

}  // namespace raftstore::testing
