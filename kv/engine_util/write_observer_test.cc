// The engine's write observer (crash tests): it sees every write before and after, a throw
// before the write leaves nothing written and after leaves all of it, and a RangeReplacement's
// commit is one observed write.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "kv/engine_util/cf.h"
#include "kv/engine_util/engine.h"
#include "kv/engine_util/write_batch.h"

namespace kv {
namespace {

struct Crash {};

std::unique_ptr<Engine> OpenKv() {
  EngineOptions o;
  o.path = "/mem/kv";
  o.env = NewInMemoryEnv();
  auto e = Engine::Open(Engine::Kind::kKv, o);
  EXPECT_TRUE(e.ok()) << e.status();
  return std::move(e).value();
}

TEST(WriteObserver, SeesEveryWriteBeforeAndAfter) {
  auto engine = OpenKv();
  std::vector<std::string> seen;
  engine->set_write_observer([&](const Engine&, const Engine::WriteEvent& e) {
    seen.push_back(std::string(e.what) + " " + std::to_string(e.ops) + (e.done ? " done" : ""));
  });
  WriteBatch wb;
  wb.SetCF(kCfDefault, "a", "1");
  wb.SetCF(kCfDefault, "b", "2");
  ASSERT_TRUE(engine->Write(wb, false).ok());
  ASSERT_TRUE(engine->PutCF(kCfDefault, "c", "3").ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"write batch 2", "write batch 2 done", "write batch 1",
                                            "write batch 1 done"}));
}

TEST(WriteObserver, ThrowingBeforeWritesNothingAndAfterWritesAll) {
  auto engine = OpenKv();
  bool after = false;
  engine->set_write_observer([&](const Engine&, const Engine::WriteEvent& e) {
    if (e.done == after) throw Crash{};
  });
  WriteBatch wb;
  wb.SetCF(kCfDefault, "a", "1");
  wb.SetCF(kCfDefault, "b", "2");
  EXPECT_THROW((void)engine->Write(wb, false), Crash);
  EXPECT_FALSE(engine->GetCF(kCfDefault, "a").value().has_value());
  after = true;
  EXPECT_THROW((void)engine->Write(wb, false), Crash);
  engine->set_write_observer(nullptr);
  EXPECT_EQ(engine->GetCF(kCfDefault, "a").value(), "1");
  EXPECT_EQ(engine->GetCF(kCfDefault, "b").value(), "2");
}

TEST(WriteObserver, RangeReplacementIsOneObservedWrite) {
  auto engine = OpenKv();
  ASSERT_TRUE(engine->PutCF(kCfDefault, "b", "old").ok());
  std::vector<std::string> seen;
  bool crash_before = true;
  engine->set_write_observer([&](const Engine&, const Engine::WriteEvent& e) {
    seen.push_back(std::string(e.what) + " " + std::to_string(e.ops) + (e.done ? " done" : ""));
    if (crash_before && !e.done) throw Crash{};
  });
  auto replace = [&] {
    auto r =
        engine->NewRangeReplacement("a", "z", DataCfs(), "/mem/scratch", "apply snapshot data");
    EXPECT_TRUE(r.ok()) << r.status();
    EXPECT_TRUE((*r)->Put(kCfDefault, "c", "1").ok());
    EXPECT_TRUE((*r)->Put(kCfWrite, "c", "1").ok());
    return std::move(r).value();
  };
  // A crash just before the commit: the old contents stay.
  EXPECT_THROW((void)replace()->Commit(), Crash);
  EXPECT_EQ(engine->GetCF(kCfDefault, "b").value(), "old");
  // Dropped without a commit: not a write.
  (void)replace();
  crash_before = false;
  ASSERT_TRUE(replace()->Commit().ok());
  EXPECT_FALSE(engine->GetCF(kCfDefault, "b").value().has_value());
  EXPECT_EQ(seen, (std::vector<std::string>{"apply snapshot data 2", "apply snapshot data 2",
                                            "apply snapshot data 2 done"}));
}

}  // namespace
}  // namespace kv
