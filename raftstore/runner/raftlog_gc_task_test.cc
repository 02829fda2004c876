// The raftlog-gc worker: it deletes exactly the asked range of one region's log (nothing of
// other regions, nothing of the raft state), survives ranges that are empty or already gone,
// and what it deleted stays deleted across a restart.

#include "raftstore/runner/raftlog_gc_task.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "kv/engine_util/cf.h"
#include "kv/engine_util/cf_iterator.h"
#include "kv/engine_util/engines.h"
#include "proto/eraftpb.pb.h"
#include "raftstore/meta/keys.h"
#include "raftstore/runtime/sim_runtime.h"
#include "testutil/seed.h"

namespace raftstore::runner {
namespace {

using Contents = std::map<std::string, std::string>;  // raft-cf key -> value

constexpr uint64_t kStore = 1;

// "missing 01 02 ... , unexpected ..." for the first few differences: a readable failure.
std::string Diff(const Contents& actual, const Contents& expected) {
  std::string out;
  int shown = 0;
  for (const auto& [k, v] : expected) {
    if (!actual.count(k) && shown++ < 5) out += "\n  missing    " + meta::DescribeKey(k);
  }
  for (const auto& [k, v] : actual) {
    if (!expected.count(k) && shown++ < 10) out += "\n  unexpected " + meta::DescribeKey(k);
  }
  return out.empty() ? " (same keys, different values)" : out;
}

class RaftLogGcFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    Open();
    // Region 1 has entries 1..300 (indexes cross a byte boundary of the big-endian key),
    // region 2 entries 1..50 and region 256 entries 1..20: neighbours in key order.
    for (uint64_t i = 1; i <= 300; i++) PutEntry(1, i);
    for (uint64_t i = 1; i <= 50; i++) PutEntry(2, i);
    for (uint64_t i = 1; i <= 20; i++) PutEntry(256, i);
    for (uint64_t r : {1, 2, 256}) {
      ASSERT_TRUE(engines_.raft->PutCF(kv::kCfRaft, meta::RaftStateKey(r), "state").ok());
    }
  }

  void TearDown() override {
    handler_.reset();
    ASSERT_TRUE(engines_.Close().ok());
  }

  void Open() {
    auto e = kv::Engines::Open("/store1", env_);
    ASSERT_TRUE(e.ok()) << e.status();
    engines_ = std::move(*e);
    handler_ = std::make_unique<RaftLogGCTaskHandler>(engines_.raft.get(), &rt_, kStore);
  }

  void Reopen() {
    handler_.reset();
    ASSERT_TRUE(engines_.Close().ok());
    Open();
  }

  void PutEntry(uint64_t region, uint64_t index) {
    eraftpb::Entry e;
    e.set_index(index);
    e.set_term(5 + index / 100);
    e.set_data("entry " + std::to_string(index));
    ASSERT_TRUE(engines_.raft->PutMeta(meta::RaftLogKey(region, index), e).ok());
  }

  Contents ReadAll() const {
    Contents out;
    auto it = engines_.raft->NewIterator(kv::kCfRaft);
    EXPECT_TRUE(it.ok());
    for ((*it)->SeekToFirst(); (*it)->Valid(); (*it)->Next()) {
      out[std::string((*it)->key())] = std::string((*it)->value());
    }
    return out;
  }

  // `contents` minus region `r`'s entries [lo, hi).
  static Contents Without(Contents contents, uint64_t r, uint64_t lo, uint64_t hi) {
    for (uint64_t i = lo; i < hi; i++) contents.erase(meta::RaftLogKey(r, i));
    return contents;
  }

  // Runs one task through the queue, as the raftstore does, and returns what it removed.
  uint64_t RunTask(const RaftLogGCTask& task) {
    const uint64_t before = handler_->entries_removed();
    const uint64_t handled = handler_->tasks_handled();
    handler_->Schedule(task);
    EXPECT_TRUE(rt_.RunUntil([&] { return handler_->tasks_handled() > handled; }, 1'000'000))
        << task.ToString() << " never ran on the raftlog-gc queue";
    EXPECT_EQ(handler_->failures(), 0u);
    return handler_->entries_removed() - before;
  }

  std::shared_ptr<rocksdb::Env> env_ = kv::NewInMemoryEnv();
  runtime::SimRuntime rt_{testutil::TestSeed()};
  kv::Engines engines_;
  std::unique_ptr<RaftLogGCTaskHandler> handler_;
};

// Test names read Raftstore2C.*, as every 2C test's.
using Raftstore2C = RaftLogGcFixture;

#define EXPECT_CONTENTS(actual, expected, what)                                               \
  do {                                                                                        \
    const Contents a_ = (actual), e_ = (expected);                                            \
    EXPECT_TRUE(a_ == e_) << what                                                             \
                          << "; raft engine differs from what it should be:" << Diff(a_, e_); \
  } while (0)

TEST_F(Raftstore2C, RaftLogGcRemovesExactlyTheRangeAndSurvivesRestart) {
  const Contents before = ReadAll();
  EXPECT_EQ(RunTask({1, 10, 260}), 250u) << "entries 10..259 of region 1 were there to delete";
  const Contents expected = Without(before, 1, 10, 260);
  EXPECT_CONTENTS(ReadAll(), expected,
                  "only region 1's entries [10, 260) may go: not entry 9 or 260, not region "
                  "2's or 256's log, not any RaftLocalState");
  Reopen();
  EXPECT_CONTENTS(ReadAll(), expected, "after closing and reopening the engines");
}

TEST_F(Raftstore2C, RaftLogGcEmptyRepeatedAndOverlappingRanges) {
  const Contents before = ReadAll();
  EXPECT_EQ(RunTask({1, 40, 40}), 0u) << "start == end is an empty range";
  EXPECT_EQ(RunTask({1, 50, 20}), 0u) << "start > end is an empty range";
  EXPECT_CONTENTS(ReadAll(), before, "empty ranges delete nothing");

  EXPECT_EQ(RunTask({1, 10, 100}), 90u);
  EXPECT_EQ(RunTask({1, 10, 100}), 0u) << "the same range again: already gone";
  EXPECT_EQ(RunTask({1, 5, 120}), 25u) << "only 5..9 and 100..119 were still there";
  EXPECT_EQ(RunTask({1, 0, 3}), 2u) << "start 0 means from the first entry (1 and 2)";
  EXPECT_EQ(RunTask({1, 290, 1000}), 11u) << "past the last index: only 290..300 exist";
  EXPECT_EQ(RunTask({7, 1, 100}), 0u) << "a region with no log";
  Contents expected = Without(before, 1, 0, 3);
  expected = Without(expected, 1, 5, 120);
  expected = Without(expected, 1, 290, 301);
  EXPECT_CONTENTS(ReadAll(), expected, "region 1 keeps 3, 4 and 120..289");
  EXPECT_EQ(handler_->tasks_handled(), 8u);
}

TEST_F(Raftstore2C, RaftLogGcTasksRunOnTheGcQueueNotInSchedule) {
  rt_.set_tracing(true);
  const Contents before = ReadAll();
  handler_->Schedule({2, 1, 10});
  handler_->Schedule({2, 10, 30});
  EXPECT_CONTENTS(ReadAll(), before, "Schedule only posts; the deletion runs on the worker");
  while (rt_.Step()) {
  }
  EXPECT_EQ(handler_->entries_removed(), 29u);
  EXPECT_CONTENTS(ReadAll(), Without(before, 2, 1, 30), "region 2 keeps 30..50");
  ASSERT_EQ(rt_.trace().size(), 2u);
  for (const auto& ev : rt_.trace()) {
    EXPECT_EQ(ev.queue, (runtime::QueueId{kStore, "raftlog-gc"})) << ev.ToString();
  }
  EXPECT_EQ(rt_.trace()[0].label, "raftlog-gc region 2 [1, 10)");
}

}  // namespace
}  // namespace raftstore::runner
