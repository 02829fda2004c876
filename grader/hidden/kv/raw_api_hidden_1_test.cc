// Lab 1, hidden: randomized runs of the raw API against a model (seeded), many keys across
// memtable flushes and restarts, and edge cases of Seek and of the reader's view.

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <sstream>

#include "kv/tests/lab1_fixture.h"
#include "testutil/seed.h"

namespace kv::lab1 {
namespace {

using namespace std::string_literals;

class Lab1Hidden : public Lab1Fixture {};

using Model = std::map<std::string, std::map<std::string, std::string>>;

Pairs ModelScan(const std::map<std::string, std::string>& cf, const std::string& start,
                uint32_t limit) {
  Pairs out;
  for (auto it = cf.lower_bound(start); it != cf.end() && out.size() < limit; ++it) {
    out.emplace_back(it->first, it->second);
  }
  return out;
}

TEST_F(Lab1Hidden, RandomOpsMatchModel) {
  std::mt19937_64 rng(testutil::TestSeed());
  const std::vector<std::string> cfs = DataCfs();
  // A small key space with the awkward keys in it, so that ops collide often.
  std::vector<std::string> keys = {"", std::string("\0", 1), "\xff"s, "a", "ab", "abc"};
  for (int i = 0; i < 30; i++) keys.push_back("key" + std::to_string(i));
  auto pick = [&](const auto& v) { return v[rng() % v.size()]; };
  auto value = [&]() {
    size_t len = rng() % 50 == 0 ? 100000 + rng() % 1000 : rng() % 64;
    std::string v(len, '\0');
    for (char& c : v) c = static_cast<char>(rng());
    return v;
  };

  Model model;
  constexpr int kOps = 3000;
  for (int op = 0; op < kOps; op++) {
    std::string cf = pick(cfs);
    std::string key = pick(keys);
    unsigned dice = rng() % 100;
    std::ostringstream what;
    what << "op " << op << " of " << kOps << " (seed " << testutil::TestSeed() << "): ";
    if (dice < 40) {
      std::string v = value();
      what << "RawPut(cf=" << cf << " key=" << HexKey(key) << ", " << v.size() << " bytes)";
      ASSERT_EQ(Put(cf, key, v).error(), "") << what.str();
      model[cf][key] = v;
    } else if (dice < 58) {
      what << "RawDelete(cf=" << cf << " key=" << HexKey(key) << ")";
      ASSERT_EQ(Delete(cf, key).error(), "") << what.str();
      model[cf].erase(key);
    } else if (dice < 83) {
      what << "RawGet(cf=" << cf << " key=" << HexKey(key) << ")";
      kvrpcpb::RawGetResponse resp = Get(cf, key);
      ASSERT_EQ(resp.error(), "") << what.str();
      auto it = model[cf].find(key);
      if (it == model[cf].end()) {
        ASSERT_TRUE(resp.not_found()) << what.str() << ": the key was deleted or never written";
      } else {
        ASSERT_FALSE(resp.not_found()) << what.str() << ": the key exists";
        ASSERT_TRUE(resp.value() == it->second)
            << what.str() << ": got " << resp.value().size() << " bytes, want " << it->second.size()
            << " bytes (" << HexKey(it->second) << ")";
      }
    } else if (dice < 98) {
      uint32_t limit = rng() % 16;
      what << "RawScan(cf=" << cf << " start=" << HexKey(key) << " limit=" << limit << ")";
      Pairs want = ModelScan(model[cf], key, limit);
      kvrpcpb::RawScanResponse resp = Scan(cf, key, limit);
      ASSERT_EQ(resp.error(), "") << what.str();
      Pairs got;
      for (const kvrpcpb::KvPair& kv : resp.kvs()) got.emplace_back(kv.key(), kv.value());
      ASSERT_EQ(got, want) << what.str() << ": got " << Describe(got) << ", want "
                           << Describe(want);
    } else {
      ASSERT_NO_FATAL_FAILURE(Restart()) << what.str() << ": restart";
    }
  }
}

TEST_F(Lab1Hidden, ManyKeysAcrossFlushesAndRestarts) {
  // About 6 MiB: more than one memtable, so part of the data is read back from SST files.
  constexpr int kKeys = 30000;
  auto key = [](int i) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "k%06d", i);
    return std::string(buf);
  };
  auto val = [](int i) { return std::string(200, static_cast<char>('a' + i % 26)); };
  for (int i = 0; i < kKeys; i++) ASSERT_TRUE(MustPut(kCfWrite, key(i), val(i))) << "key " << i;
  for (int i = 0; i < kKeys; i += 3) ASSERT_TRUE(MustDelete(kCfWrite, key(i))) << "key " << i;
  for (int round = 0; round < 2; round++) {
    Pairs got = MustScan(kCfWrite, "", kKeys + 10);
    ASSERT_EQ(got.size(), static_cast<size_t>(kKeys - (kKeys + 2) / 3)) << "round " << round;
    int expect = 1;
    for (const auto& [k, v] : got) {
      ASSERT_EQ(k, key(expect)) << "round " << round;
      ASSERT_EQ(v, val(expect)) << "round " << round;
      expect += (expect % 3 == 2) ? 2 : 1;
    }
    Pairs window = MustScan(kCfWrite, key(14999), 4);
    ASSERT_EQ(window.size(), 4u);
    EXPECT_EQ(window[0].first, key(14999));
    EXPECT_EQ(window[1].first, key(15000 + 1)) << "key 15000 was deleted";
    ASSERT_NO_FATAL_FAILURE(Restart());
  }
}

TEST_F(Lab1Hidden, SeekBetweenKeysAndPrefixKeys) {
  for (const char* k : {"a", "ab", "abc", "b"}) ASSERT_TRUE(MustPut(kCfDefault, k, k));
  EXPECT_EQ(MustScan(kCfDefault, "aa", 10), (Pairs{{"ab", "ab"}, {"abc", "abc"}, {"b", "b"}}));
  EXPECT_EQ(MustScan(kCfDefault, "abc\0"s, 10), (Pairs{{"b", "b"}}));
  EXPECT_EQ(MustScan(kCfDefault, "ab", 1), (Pairs{{"ab", "ab"}}));
  EXPECT_EQ(Get(kCfDefault, "ab").value(), "ab");
  EXPECT_TRUE(Get(kCfDefault, "abcd").not_found());
  EXPECT_TRUE(Get(kCfDefault, "").not_found());
}

TEST_F(Lab1Hidden, ReaderViewSurvivesManyWrites) {
  for (int i = 0; i < 50; i++) ASSERT_TRUE(MustPut(kCfLock, "k" + std::to_string(i), "old"));
  Result<std::unique_ptr<StorageReader>> reader = storage_->Reader(ctx_);
  ASSERT_TRUE(reader.ok()) << reader.status();
  ASSERT_NE(*reader, nullptr);
  for (int round = 0; round < 20; round++) {
    for (int i = 0; i < 50; i++) {
      if ((i + round) % 2 == 0) {
        ASSERT_TRUE(MustPut(kCfLock, "k" + std::to_string(i), "new" + std::to_string(round)));
      } else {
        ASSERT_TRUE(MustDelete(kCfLock, "k" + std::to_string(i)));
      }
    }
  }
  Result<std::unique_ptr<DBIterator>> it = (*reader)->IterCF(kCfLock);
  ASSERT_TRUE(it.ok()) << it.status();
  ASSERT_NE(*it, nullptr);
  int n = 0;
  for ((*it)->Seek(""); (*it)->Valid() && n < 100; (*it)->Next(), n++) {
    ASSERT_EQ((*it)->value(), "old") << "key " << HexKey((*it)->key());
  }
  EXPECT_EQ(n, 50);
  for (int i = 0; i < 50; i++) {
    Result<std::optional<std::string>> v = (*reader)->GetCF(kCfLock, "k" + std::to_string(i));
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_EQ(*v, "old"s) << "k" << i;
  }
  it = Status::Internal("released");
  (*reader)->Close();
}

TEST_F(Lab1Hidden, SyncWritesOnDisk) {
  // The same storage on the real file system with sync_writes: still correct.
  std::string dir = ::testing::TempDir() + "/lab1_hidden_sync";
  ASSERT_EQ(std::system(("rm -rf '" + dir + "'").c_str()), 0);
  server_.reset();
  ASSERT_TRUE(storage_->Stop().ok());
  config_ = StandaloneConfig{};
  config_.db_path = dir;
  config_.sync_writes = true;
  storage_ = std::make_unique<StandaloneStorage>(config_);
  Status s = storage_->Start();
  ASSERT_TRUE(s.ok()) << "Start on disk at " << dir << ": " << s;
  server_ = std::make_unique<Server>(storage_.get());
  for (int i = 0; i < 20; i++) ASSERT_TRUE(MustPut(kCfDefault, "k" + std::to_string(i), "v"));
  ASSERT_NO_FATAL_FAILURE(Restart());
  EXPECT_EQ(MustScan(kCfDefault, "", 100).size(), 20u);
}

}  // namespace
}  // namespace kv::lab1
