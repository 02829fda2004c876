// The main() of every test in the kit: gtest, plus listeners that print the seed and the
// replay command under each failed test, and its failure timeline (timeline/session.h).
//
// Timelines: recording is off by default, so a passing suite pays nothing. When a test that
// ran a simulated cluster fails, the listener runs this same binary again for that one case,
// with the same seed and TINYKV_TIMELINE=1: the run replays exactly, this time recording, and
// the re-run writes timeline.html into Bazel's undeclared outputs. The re-run is bounded in
// time and marked (TINYKV_TIMELINE_RERUN) so that it never re-runs itself.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "testutil/seed.h"
#include "timeline/session.h"

namespace {

bool EnvSet(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0';
}

std::string FullName(const ::testing::TestInfo& info) {
  return std::string(info.test_suite_name()) + "." + info.name();
}

// "Suite.Case/3" -> "Suite.Case_3": a file name.
std::string FileSafe(std::string s) {
  for (char& c : s) {
    if (c == '/' || c == ' ') c = '_';
  }
  return s;
}

// What to tell the user about a page the test wrote. Outside Bazel: its path. Under `bazel
// test`, undeclared outputs end up zipped (Bazel 4 always zips them) in
// bazel-testlogs/<package>/<target>/test.outputs/outputs.zip, so: the page's name, the zip,
// and the one command that takes it out and opens it.
std::string TimelineMessage(const std::string& written) {
  const char* target = std::getenv("TEST_TARGET");  // "//raft/sim:cluster_test"
  const char* dir = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR");
  if (target == nullptr || dir == nullptr) {
    return "[ TIMELINE ] " + written + " — open it in a browser";
  }
  std::string t = target;
  if (t.rfind("//", 0) == 0) t = t.substr(2);
  if (auto colon = t.find(':'); colon != std::string::npos) t[colon] = '/';
  const std::string d = std::string(dir) + "/";
  const std::string file = written.rfind(d, 0) == 0 ? written.substr(d.size()) : written;
  // A sharded target keeps each shard's outputs apart: bazel-testlogs/<t>/shard_2_of_4/...
  std::string shard;
  const char* total = std::getenv("TEST_TOTAL_SHARDS");
  const char* index = std::getenv("TEST_SHARD_INDEX");
  if (total != nullptr && index != nullptr && std::atoi(total) > 1) {
    shard = "/shard_" + std::to_string(std::atoi(index) + 1) + "_of_" + total;
  }
  const std::string zip = "bazel-testlogs/" + t + shard + "/test.outputs/outputs.zip";
  return "[ TIMELINE ] " + file + " in " + zip + " — open it in a browser:\n" +
         "             unzip -o " + zip + " " + file + " -d /tmp/tinykv-timeline && xdg-open " +
         "/tmp/tinykv-timeline/" + file;
}

void PrintTimeline(const std::string& path) {
  std::printf("%s\n", TimelineMessage(path).c_str());
  std::fflush(stdout);
}

const auto kStart = std::chrono::steady_clock::now();

double Elapsed() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - kStart).count();
}

// How long the re-run of a case that took `case_seconds` may take, or 0 when there is no time
// for it. Re-runs must never push the test binary past its time limit (Bazel's TEST_TIMEOUT,
// which the grader sets per target): they use at most 80% of what is left of it, and each
// gets its case's own time twice over plus a few seconds (recording costs a little). Outside
// Bazel: TINYKV_TIMELINE_RERUN_TIMEOUT, default 60 s.
double RerunSeconds(double case_seconds) {
  double limit = 60;
  if (const char* v = std::getenv("TINYKV_TIMELINE_RERUN_TIMEOUT"); v != nullptr && *v) {
    limit = std::max(1, std::atoi(v));
  }
  if (const char* v = std::getenv("TEST_TIMEOUT"); v != nullptr && *v) {
    const double left = 0.8 * std::atoi(v) - Elapsed();
    limit = std::min(limit, left);
  }
  const double want = 2 * case_seconds + 3;
  return want <= limit ? std::min(limit, 2 * want) : 0;
}

// The command that draws one case's page by hand.
std::string Replay(const std::string& test) {
  const char* target = std::getenv("TEST_TARGET");
  return "scripts/timeline.sh " + std::string(target != nullptr ? target : "<target>") + " " +
         test + " " + std::to_string(testutil::TestSeed());
}

// Runs this binary again for `test` with recording on, writing timeline-<name>.html (or
// timeline.html for ""). Returns what to tell the user.
std::string Rerun(const std::string& test, const std::string& name, double seconds) {
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = fork();
  if (pid < 0) return "could not start the re-run (fork failed)";
  if (pid == 0) {
    setenv("TINYKV_TIMELINE", "1", 1);
    setenv("TINYKV_TIMELINE_RERUN", "1", 1);
    setenv("TINYKV_TIMELINE_NAME", name.c_str(), 1);
    // The re-run must run this one case and must not touch the parent's bookkeeping.
    for (const char* v :
         {"GTEST_SHARD_INDEX", "GTEST_TOTAL_SHARDS", "TEST_SHARD_STATUS_FILE", "XML_OUTPUT_FILE",
          "GTEST_OUTPUT", "TEST_PREMATURE_EXIT_FILE", "GTEST_REPEAT", "TESTBRIDGE_TEST_ONLY"}) {
      unsetenv(v);
    }
    if (FILE* f = std::freopen("/dev/null", "w", stdout); f == nullptr) _exit(126);
    if (FILE* f = std::freopen("/dev/null", "w", stderr); f == nullptr) _exit(126);
    const std::string filter = "--gtest_filter=" + test;
    // The time limit goes with the process: SIGALRM survives exec and ends it, so the parent
    // just waits (no polling).
    alarm(static_cast<unsigned>(std::max(1.0, seconds)));
    execl("/proc/self/exe", "timeline-rerun", filter.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return "the re-run was lost (waitpid failed)";
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
    return "the re-run with recording did not finish within " +
           std::to_string(static_cast<int>(seconds)) +
           " s; no timeline. Replay it: " + Replay(test);
  }
  const char* dir = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR");
  const std::string file = name.empty() ? "timeline.html" : "timeline-" + name + ".html";
  const std::string path = (dir != nullptr && *dir ? std::string(dir) + "/" : "") + file;
  if (access(path.c_str(), R_OK) != 0) {
    return "the re-run with recording wrote no timeline (exit status " +
           std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")";
  }
  std::string out;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    out =
        "note: the re-run with recording PASSED — the failure did not reproduce, so the page "
        "shows a run that did not fail (a bug outside the seeded simulation?)\n";
  }
  return out + TimelineMessage(path);
}

class ReplayPrinter : public ::testing::EmptyTestEventListener {
  void OnTestPartResult(const ::testing::TestPartResult& result) override {
    if (!result.failed() || !timeline::Enabled()) return;
    std::string where = result.file_name() != nullptr ? result.file_name() : "?";
    if (result.line_number() >= 0) where += ":" + std::to_string(result.line_number());
    // The title is where and the message's first line; the whole message goes with it.
    std::string first = result.summary();
    first = first.substr(0, first.find('\n'));
    if (first.size() > 120) first = first.substr(0, 117) + "...";
    timeline::FailCurrent(where + ": " + first, where + "\n" + result.message());
  }

  void OnTestEnd(const ::testing::TestInfo& info) override {
    const bool failed = info.result() != nullptr && info.result()->Failed();
    if (failed) {
      std::printf("[  SEED    ] %llu — replay with:\n             %s\n",
                  static_cast<unsigned long long>(testutil::TestSeed()),
                  testutil::ReplayCommand().c_str());
    }
    const uint64_t runs = timeline::RunsStarted();
    if (timeline::Enabled()) {
      // Recording: this process writes the page itself.
      std::string name;
      if (const char* n = std::getenv("TINYKV_TIMELINE_NAME"); n != nullptr) {
        name = n;
      } else if (::testing::UnitTest::GetInstance()->test_to_run_count() > 1) {
        name = FileSafe(FullName(info));
      }
      std::string error;
      std::string path = timeline::FinishTest(name, &error);
      if (!path.empty()) {
        PrintTimeline(path);
      } else if (!error.empty()) {
        std::printf("[ TIMELINE ] not written: %s\n", error.c_str());
      }
      return;
    }
    std::string error;
    timeline::FinishTest("", &error);  // resets the count; nothing recorded
    if (!failed || runs == 0 || EnvSet("TINYKV_TIMELINE_RERUN")) return;
    const double seconds = RerunSeconds(info.result()->elapsed_time() / 1000.0);
    if (seconds <= 0) {
      std::printf(
          "[ TIMELINE ] not drawn: no time left under this test's time limit to re-run "
          "the case with recording. Replay it: %s\n",
          Replay(FullName(info)).c_str());
      std::fflush(stdout);
      return;
    }
    // The first failed case of this binary gets timeline.html, the others their own name.
    const std::string name = reruns_++ == 0 ? "" : FileSafe(FullName(info));
    std::printf("%s\n", Rerun(FullName(info), name, seconds).c_str());
    std::fflush(stdout);
  }

  int reruns_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::UnitTest::GetInstance()->listeners().Append(new ReplayPrinter);
  return RUN_ALL_TESTS();
}
