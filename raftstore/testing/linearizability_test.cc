// Tests of the history checker on hand-written histories. Framework tests: they pass on the
// student stubs as well as on the reference, and are not graded.

#include "raftstore/testing/linearizability.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "raftstore/testing/history.h"

namespace raftstore::testing {
namespace {

// Builds histories in the order events happened; time only labels them.
class Builder {
 public:
  History::OpId Put(int client, const std::string& key, const std::string& value) {
    return h_.Invoke(client, OpKind::kPut, key, value, ++t_);
  }
  History::OpId Delete(int client, const std::string& key) {
    return h_.Invoke(client, OpKind::kDelete, key, "", ++t_);
  }
  History::OpId Get(int client, const std::string& key) {
    return h_.Invoke(client, OpKind::kGet, key, "", ++t_);
  }
  void Done(History::OpId id) { h_.ReturnWrite(id, ++t_); }
  void Read(History::OpId id, std::optional<std::string> v) { h_.ReturnGet(id, v, ++t_); }

  // Whole operations, one after the other.
  void SeqPut(int c, const std::string& k, const std::string& v) { Done(Put(c, k, v)); }
  void SeqDelete(int c, const std::string& k) { Done(Delete(c, k)); }
  void SeqGet(int c, const std::string& k, std::optional<std::string> v) { Read(Get(c, k), v); }

  LinearizabilityResult Check(const CheckOptions& o = {}) {
    return CheckLinearizable(h_.Operations(), o);
  }
  History& history() { return h_; }

 private:
  History h_;
  uint64_t t_ = 0;
};

TEST(HistoryChecker, EmptyHistoryIsLinearizable) {
  Builder b;
  EXPECT_TRUE(b.Check().ok);
}

TEST(HistoryChecker, SequentialHistoryIsLinearizable) {
  Builder b;
  b.SeqGet(0, "x", std::nullopt);
  b.SeqPut(0, "x", "1");
  b.SeqGet(1, "x", "1");
  b.SeqPut(1, "x", "2");
  b.SeqGet(0, "x", "2");
  b.SeqDelete(0, "x");
  b.SeqGet(1, "x", std::nullopt);
  LinearizabilityResult r = b.Check();
  EXPECT_TRUE(r.ok) << r.explanation;
  EXPECT_EQ(r.operations, 7u);
  EXPECT_EQ(r.keys, 1u);
}

// A leader cut off by a partition keeps answering reads from its own state machine after a
// new leader, on the majority side, has accepted a newer write: the classic stale read.
TEST(HistoryChecker, StaleReadFromDeposedLeaderIsCaught) {
  Builder b;
  b.SeqPut(0, "x", "1");  // through the old leader, before the partition
  b.SeqPut(1, "x", "2");  // through the new leader, majority side
  b.SeqGet(2, "x", "1");  // the deposed leader answers from its stale state
  LinearizabilityResult r = b.Check();
  ASSERT_FALSE(r.ok);
  EXPECT_FALSE(r.gave_up);
  EXPECT_EQ(r.key, "x");
  EXPECT_NE(r.explanation.find("client 2 Get(\"x\") -> \"1\""), std::string::npos) << r.explanation;
  EXPECT_NE(r.explanation.find("holds \"2\""), std::string::npos) << r.explanation;
}

TEST(HistoryChecker, LostWriteIsCaught) {
  Builder b;
  b.SeqPut(0, "x", "a");
  b.SeqGet(1, "x", std::nullopt);
  LinearizabilityResult r = b.Check();
  ASSERT_FALSE(r.ok);
  EXPECT_NE(r.explanation.find("-> absent"), std::string::npos) << r.explanation;
}

TEST(HistoryChecker, LostDeleteIsCaught) {
  Builder b;
  b.SeqPut(0, "x", "a");
  b.SeqDelete(0, "x");
  b.SeqGet(1, "x", "a");
  EXPECT_FALSE(b.Check().ok);
}

TEST(HistoryChecker, ReadOfValueNeverWrittenIsCaught) {
  Builder b;
  b.SeqPut(0, "x", "a");
  b.SeqGet(1, "x", "b");
  EXPECT_FALSE(b.Check().ok);
}

// A read concurrent with a write may see either value.
TEST(HistoryChecker, ConcurrentReadMaySeeEitherValue) {
  for (bool sees_new : {false, true}) {
    Builder b;
    b.SeqPut(0, "x", "old");
    auto put = b.Put(0, "x", "new");
    auto get = b.Get(1, "x");
    b.Read(get, sees_new ? "new" : "old");
    b.Done(put);
    LinearizabilityResult r = b.Check();
    EXPECT_TRUE(r.ok) << "sees_new=" << sees_new << "\n" << r.explanation;
  }
}

// Two reads during one write: once a read has seen the new value, a later read can't go back.
TEST(HistoryChecker, NewThenOldInversionIsCaught) {
  Builder b;
  b.SeqPut(0, "x", "old");
  auto put = b.Put(0, "x", "new");
  b.SeqGet(1, "x", "new");
  b.SeqGet(2, "x", "old");
  b.Done(put);
  LinearizabilityResult r = b.Check();
  ASSERT_FALSE(r.ok);
  EXPECT_NE(r.explanation.find("client 2 Get(\"x\") -> \"old\""), std::string::npos)
      << r.explanation;
}

// Concurrent writes may take effect in either order, but every reader must agree on it.
TEST(HistoryChecker, ConcurrentWritesOrderedOnce) {
  {
    Builder b;
    auto p1 = b.Put(0, "x", "a");
    auto p2 = b.Put(1, "x", "b");
    b.Done(p1);
    b.Done(p2);
    b.SeqGet(2, "x", "a");
    b.SeqGet(3, "x", "a");
    EXPECT_TRUE(b.Check().ok);
  }
  {
    Builder b;
    auto p1 = b.Put(0, "x", "a");
    auto p2 = b.Put(1, "x", "b");
    b.Done(p1);
    b.Done(p2);
    b.SeqGet(2, "x", "a");
    b.SeqGet(3, "x", "b");
    EXPECT_FALSE(b.Check().ok);
  }
}

// A write whose answer was lost may take effect late (after a later write of the same
// client), or never; both must be accepted.
TEST(HistoryChecker, PendingWriteMayTakeEffectLateOrNever) {
  for (const char* seen : {"a", "b"}) {
    Builder b;
    b.Put(0, "x", "a");  // the answer never came back
    b.SeqPut(0, "x", "b");
    b.SeqGet(1, "x", seen);
    EXPECT_TRUE(b.Check().ok) << seen;
  }
  Builder b;
  b.Put(0, "x", "a");
  b.SeqGet(1, "x", std::nullopt);
  EXPECT_TRUE(b.Check().ok) << "a pending write may never take effect";
}

TEST(HistoryChecker, PendingWriteTakesEffectAtMostOnce) {
  Builder b;
  b.Put(0, "x", "a");  // pending
  b.SeqGet(1, "x", "a");
  b.SeqPut(1, "x", "b");
  b.SeqGet(1, "x", "b");
  b.SeqGet(2, "x", "a");  // would need "a" to be written twice
  EXPECT_FALSE(b.Check().ok);
}

TEST(HistoryChecker, DiscardedOperationsAreIgnored) {
  Builder b;
  b.SeqPut(0, "x", "a");
  auto get = b.Get(1, "x");  // timed out; the client gave up on it
  b.history().Discard(get);
  b.SeqGet(1, "x", "a");
  LinearizabilityResult r = b.Check();
  EXPECT_TRUE(r.ok) << r.explanation;
  EXPECT_EQ(r.operations, 2u);
}

TEST(HistoryChecker, KeysAreIndependent) {
  Builder b;
  b.SeqPut(0, "x", "1");
  b.SeqPut(0, "y", "1");
  b.SeqGet(1, "x", "1");
  b.SeqGet(1, "y", std::nullopt);  // lost write on y only
  LinearizabilityResult r = b.Check();
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.key, "y");
}

TEST(HistoryChecker, GivesUpInsteadOfHanging) {
  Builder b;
  // Many pending writes of distinct values make the search space large.
  for (int i = 0; i < 30; ++i) b.Put(i, "x", std::to_string(i));
  b.SeqGet(99, "x", "none of them");
  CheckOptions o;
  o.max_steps_per_key = 1000;
  LinearizabilityResult r = b.Check(o);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.gave_up);
  EXPECT_NE(r.explanation.find("gave up"), std::string::npos);
}

// A long randomized history produced by a correct (atomic) register with overlapping
// operations is accepted, fast.
TEST(HistoryChecker, LongConcurrentCorrectHistoryIsAccepted) {
  std::mt19937_64 rng(7);
  History h;
  uint64_t t = 0;
  std::map<std::string, std::optional<std::string>> store;
  struct Open {
    History::OpId id;
    OpKind kind;
    std::string key;
    std::string value;
    bool applied = false;
    std::optional<std::string> read;
  };
  std::vector<std::optional<Open>> open(5);
  int made = 0;
  for (int step = 0; step < 20000; ++step) {
    int c = static_cast<int>(rng() % 5);
    auto& o = open[c];
    if (!o) {
      std::string key = "k" + std::to_string(rng() % 3);
      OpKind kind = static_cast<OpKind>(rng() % 3);
      std::string value = "v" + std::to_string(made++);
      o = Open{h.Invoke(c, kind, key, value, ++t), kind, key, value, false, std::nullopt};
    } else if (!o->applied) {
      // The atomic instant, somewhere between invoke and response.
      if (o->kind == OpKind::kPut) store[o->key] = o->value;
      if (o->kind == OpKind::kDelete) store[o->key].reset();
      if (o->kind == OpKind::kGet) o->read = store[o->key];
      o->applied = true;
    } else {
      if (o->kind == OpKind::kGet) {
        h.ReturnGet(o->id, o->read, ++t);
      } else {
        h.ReturnWrite(o->id, ++t);
      }
      o.reset();
    }
  }
  LinearizabilityResult r = CheckLinearizable(h.Operations());
  EXPECT_TRUE(r.ok) << r.explanation;
  EXPECT_GT(r.operations, 5000u);
}

TEST(HistoryChecker, OperationToStringNamesEverything) {
  History h;
  auto id = h.Invoke(3, OpKind::kGet, "k", "", 1'500'000);
  h.ReturnGet(id, "v", 1'750'000);
  EXPECT_EQ(h.Operations()[0].ToString(), "client 3 Get(\"k\") -> \"v\" [1.500000s .. 1.750000s]");
}

// A key is a register per column family: a write in `lock` says nothing about `default`, and a
// store that mixes the two up reads one cf's value from the other.
TEST(HistoryChecker, ColumnFamiliesAreSeparateRegisters) {
  History h;
  uint64_t t = 0;
  auto put = [&](int c, const std::string& cf, const std::string& v) {
    const History::OpId id = h.Invoke(c, OpKind::kPut, cf, "k", v, ++t);
    h.ReturnWrite(id, ++t);
  };
  auto get = [&](int c, const std::string& cf, std::optional<std::string> v) {
    const History::OpId id = h.Invoke(c, OpKind::kGet, cf, "k", "", ++t);
    h.ReturnGet(id, std::move(v), ++t);
  };
  put(0, "lock", "L");
  get(1, "default", std::nullopt);
  get(1, "lock", "L");
  LinearizabilityResult r = CheckLinearizable(h.Operations());
  EXPECT_TRUE(r.ok) << r.explanation;
  EXPECT_EQ(r.keys, 2u);

  // The default cf read the lock cf's value: everything written to one cf.
  get(2, "default", "L");
  r = CheckLinearizable(h.Operations());
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.cf, "default");
  EXPECT_EQ(r.key, "k");
  EXPECT_NE(r.explanation.find("client 2 Get(\"k\") -> \"L\""), std::string::npos) << r.explanation;
  EXPECT_NE(r.explanation.find("client 0 Put(lock:\"k\", \"L\")"), std::string::npos)
      << "\n"
      << r.explanation;
}

// Concurrent operations may take effect in any order, unless the log says which came first:
// a read whose entry follows a write's entry must see it (a Ready that applies both may not
// answer the read from the state before the Ready).
TEST(HistoryChecker, LogIndexesOrderConcurrentOperations) {
  History h;
  uint64_t t = 0;
  const History::OpId first = h.Invoke(0, OpKind::kPut, "k", "old", ++t);
  h.ReturnWrite(first, ++t);
  const History::OpId put = h.Invoke(1, OpKind::kPut, "k", "new", ++t);
  const History::OpId get = h.Invoke(2, OpKind::kGet, "k", "", ++t);
  h.ReturnWrite(put, ++t);
  h.ReturnGet(get, "old", ++t);
  EXPECT_TRUE(CheckLinearizable(h.Operations()).ok) << "concurrent: the read may go first";

  h.SetLogIndex(put, 7);
  h.SetLogIndex(get, 8);
  LinearizabilityResult r = CheckLinearizable(h.Operations());
  ASSERT_FALSE(r.ok) << "the log puts the write first";
  EXPECT_NE(r.explanation.find("client 2 Get(\"k\") -> \"old\""), std::string::npos)
      << r.explanation;
  EXPECT_NE(r.explanation.find("@8"), std::string::npos) << r.explanation;
  EXPECT_NE(r.explanation.find("holds \"new\""), std::string::npos) << r.explanation;

  h.SetLogIndex(get, 6);
  EXPECT_TRUE(CheckLinearizable(h.Operations()).ok) << "the log puts the read first";
}

}  // namespace
}  // namespace raftstore::testing
