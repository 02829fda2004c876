// The in-memory engine (kv/engine_util/mem_backend.h) against RocksDB under whole simulated
// runs: one scenario and seed on each engine must be the same run, event for event (the
// simulation draws nothing from the engine, so any difference is a difference of what the
// engine answered) and end with the same data in every store's engines, byte for byte.

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "kv/engine_util/cf_iterator.h"
#include "kv/engine_util/engines.h"
#include "raftstore/testing/cluster.h"
#include "raftstore/testing/generic_test.h"
#include "testutil/seed.h"

namespace raftstore::testing {
namespace {

uint64_t Fnv1a(uint64_t h, std::string_view bytes) {
  for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

// Records, at the end of the run, every store's engines column family by column family: the
// number of keys and an FNV-1a digest of the pairs in order.
class DigestAudit : public ScenarioAudit {
 public:
  explicit DigestAudit(std::string* out) : out_(out) {}
  void Attach(Cluster&) override {}
  ::testing::AssertionResult Check(Cluster& cluster) override {
    for (uint64_t id : cluster.StoreIds()) {
      kv::Engines& engines = cluster.engines(id);
      for (const kv::Engine* engine : {engines.kv.get(), engines.raft.get()}) {
        for (const std::string& cf : engine->column_families()) {
          auto it = engine->NewIterator(cf);
          if (!it.ok()) return ::testing::AssertionFailure() << it.status();
          uint64_t h = 0xcbf29ce484222325ULL;
          uint64_t keys = 0;
          for ((*it)->SeekToFirst(); (*it)->Valid(); (*it)->Next(), ++keys) {
            const std::string_view key = (*it)->key(), value = (*it)->value();
            h = Fnv1a(Fnv1a(h, std::to_string(key.size()) + ":"), key);
            h = Fnv1a(Fnv1a(h, std::to_string(value.size()) + ":"), value);
          }
          if (!(*it)->status().ok()) return ::testing::AssertionFailure() << (*it)->status();
          char line[160];
          std::snprintf(line, sizeof line, "store %llu %s/%s: %llu keys, digest %016llx\n",
                        static_cast<unsigned long long>(id), kv::EngineKindName(engine->kind()),
                        cf.c_str(), static_cast<unsigned long long>(keys),
                        static_cast<unsigned long long>(h));
          *out_ += line;
        }
      }
    }
    return ::testing::AssertionSuccess();
  }

 private:
  std::string* out_;
};

struct Run {
  GenericTestReport report;
  std::string digests;
};

Run RunOn(SimEngine engine, GenericTestOptions o) {
  Run run;
  o.engine = engine;
  o.audit = [&run](const GenericTestOptions&) -> std::unique_ptr<ScenarioAudit> {
    return std::make_unique<DigestAudit>(&run.digests);
  };
  std::printf("[ ENGINE   ] %s\n", SimEngineName(engine));
  EXPECT_TRUE(RunGenericTest(o, &run.report));
  return run;
}

void ExpectSameRun(const GenericTestOptions& o) {
  const Run rocks = RunOn(SimEngine::kRocksDb, o);
  const Run mem = RunOn(SimEngine::kMemory, o);
  EXPECT_EQ(rocks.report.events, mem.report.events);
  EXPECT_EQ(rocks.report.messages_sent, mem.report.messages_sent);
  EXPECT_EQ(rocks.report.messages_dropped, mem.report.messages_dropped);
  EXPECT_EQ(rocks.report.snapshots_sent, mem.report.snapshots_sent);
  EXPECT_EQ(rocks.report.crashes, mem.report.crashes);
  EXPECT_EQ(rocks.report.ops(), mem.report.ops());
  EXPECT_EQ(rocks.report.scans, mem.report.scans);
  EXPECT_EQ(rocks.report.unanswered, mem.report.unanswered);
  EXPECT_EQ(rocks.report.answers_in_log, mem.report.answers_in_log);
  EXPECT_EQ(rocks.report.simulated, mem.report.simulated);
  EXPECT_FALSE(rocks.digests.empty());
  EXPECT_EQ(rocks.digests, mem.digests) << "the stores' data differ (first: RocksDB)";
}

// Lab 2C's SnapshotUnreliableRecoverConcurrentPartition: log GC and snapshots (generated from
// an engine snapshot, sent as SST files, ingested), restarts, partitions and lost messages.
TEST(EngineEquivalence, SnapshotUnreliableRecoverConcurrentPartition) {
  GenericTestOptions o;
  o.part = "2C";
  o.clients = 5;
  o.unreliable = true;
  o.crash = true;
  o.partitions = true;
  o.max_raft_log = 100;
  o.iteration_time = 1'500'000;
  o.seed = testutil::DeriveSeed(1);
  ExpectSameRun(o);
}

// Crash points: stores killed in the middle of engine writes and sends, partitions.
TEST(EngineEquivalence, CrashPointsAndPartitions) {
  GenericTestOptions o;
  o.clients = 3;
  o.crash = true;
  o.partitions = true;
  o.crash_points = true;
  o.max_raft_log = 50;
  o.iteration_time = 1'500'000;
  o.seed = testutil::DeriveSeed(2);
  ExpectSameRun(o);
}

}  // namespace
}  // namespace raftstore::testing
