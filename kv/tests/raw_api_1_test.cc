// Lab 1, part 2: the raw KV API (Server::RawGet, RawPut, RawDelete, RawScan) on a
// StandaloneStorage.

#include <gtest/gtest.h>

#include "kv/tests/lab1_fixture.h"

namespace kv::lab1 {
namespace {

using namespace std::string_literals;

class Lab1 : public Lab1Fixture {};

TEST_F(Lab1, RawGet) {
  ASSERT_TRUE(StoragePut(kCfDefault, "k99", "v99"));
  kvrpcpb::RawGetResponse resp = Get(kCfDefault, "k99");
  EXPECT_EQ(resp.error(), "");
  EXPECT_FALSE(resp.not_found()) << "RawGet of an existing key set not_found";
  EXPECT_EQ(resp.value(), "v99");
}

TEST_F(Lab1, RawGetNotFound) {
  ASSERT_TRUE(StoragePut(kCfDefault, "k1", "v1"));
  kvrpcpb::RawGetResponse resp = Get(kCfDefault, "k2");
  EXPECT_EQ(resp.error(), "") << "a missing key is not an error";
  EXPECT_TRUE(resp.not_found()) << "RawGet of a missing key must set not_found";
  EXPECT_EQ(resp.value(), "");
}

TEST_F(Lab1, RawPut) {
  ASSERT_TRUE(MustPut(kCfDefault, "k99", "v99"));
  EXPECT_EQ(StorageGet(kCfDefault, "k99"), "v99"s) << "RawPut did not reach the storage";
}

TEST_F(Lab1, RawGetAfterRawPut) {
  ASSERT_TRUE(MustPut(kCfDefault, "k1", "v1"));
  ASSERT_TRUE(MustPut(kCfWrite, "k2", "v2"));
  kvrpcpb::RawGetResponse resp = Get(kCfDefault, "k1");
  EXPECT_EQ(resp.error(), "");
  EXPECT_FALSE(resp.not_found());
  EXPECT_EQ(resp.value(), "v1");
  resp = Get(kCfWrite, "k2");
  EXPECT_FALSE(resp.not_found());
  EXPECT_EQ(resp.value(), "v2");
}

TEST_F(Lab1, RawPutOverwrites) {
  ASSERT_TRUE(MustPut(kCfDefault, "k", "first"));
  ASSERT_TRUE(MustPut(kCfDefault, "k", "second"));
  EXPECT_EQ(Get(kCfDefault, "k").value(), "second");
  EXPECT_EQ(MustScan(kCfDefault, "", 10).size(), 1u) << "an overwrite must not add a key";
}

TEST_F(Lab1, RawGetAfterRawDelete) {
  ASSERT_TRUE(MustPut(kCfDefault, "k1", "v1"));
  ASSERT_TRUE(MustDelete(kCfDefault, "k1"));
  kvrpcpb::RawGetResponse resp = Get(kCfDefault, "k1");
  EXPECT_EQ(resp.error(), "");
  EXPECT_TRUE(resp.not_found()) << "RawGet after RawDelete must set not_found";
  EXPECT_EQ(resp.value(), "");
}

TEST_F(Lab1, RawDelete) {
  ASSERT_TRUE(StoragePut(kCfDefault, "k99", "v99"));
  ASSERT_TRUE(MustDelete(kCfDefault, "k99"));
  EXPECT_EQ(StorageGet(kCfDefault, "k99"), std::nullopt) << "RawDelete did not reach the storage";
}

TEST_F(Lab1, RawDeleteMissingKeyIsNotAnError) {
  EXPECT_TRUE(MustDelete(kCfDefault, "never-written"));
  EXPECT_TRUE(Get(kCfDefault, "never-written").not_found());
}

TEST_F(Lab1, RawScan) {
  for (int i = 1; i <= 5; i++) {
    ASSERT_TRUE(StoragePut(kCfDefault, "k" + std::to_string(i), "v" + std::to_string(i)));
  }
  Pairs want = {{"k2", "v2"}, {"k3", "v3"}, {"k4", "v4"}};
  Pairs got = MustScan(kCfDefault, "k2", 3);
  EXPECT_EQ(got, want) << "RawScan(start='k2', limit=3) gave " << Describe(got) << ", want "
                       << Describe(want);
}

TEST_F(Lab1, RawScanAfterRawPut) {
  for (int i = 1; i <= 4; i++) {
    ASSERT_TRUE(StoragePut(kCfDefault, "k" + std::to_string(i), "v" + std::to_string(i)));
  }
  ASSERT_TRUE(MustPut(kCfDefault, "k5", "v5"));
  ASSERT_TRUE(MustPut(kCfDefault, "k3", "v3-new"));
  Pairs want = {{"k1", "v1"}, {"k2", "v2"}, {"k3", "v3-new"}, {"k4", "v4"}, {"k5", "v5"}};
  Pairs got = MustScan(kCfDefault, "k1", 10);
  EXPECT_EQ(got, want) << "RawScan after RawPut gave " << Describe(got) << ", want "
                       << Describe(want);
}

TEST_F(Lab1, RawScanAfterRawDelete) {
  for (int i = 1; i <= 5; i++) {
    ASSERT_TRUE(StoragePut(kCfDefault, "k" + std::to_string(i), "v" + std::to_string(i)));
  }
  ASSERT_TRUE(MustDelete(kCfDefault, "k3"));
  ASSERT_TRUE(MustDelete(kCfDefault, "k1"));
  Pairs want = {{"k2", "v2"}, {"k4", "v4"}, {"k5", "v5"}};
  Pairs got = MustScan(kCfDefault, "", 10);
  EXPECT_EQ(got, want) << "RawScan after RawDelete gave " << Describe(got) << ", want "
                       << Describe(want);
}

TEST_F(Lab1, IterWithRawDelete) {
  for (int i = 1; i <= 4; i++) {
    ASSERT_TRUE(MustPut(kCfDefault, "k" + std::to_string(i), "v" + std::to_string(i)));
  }
  // Walk a reader's iterator while deleting each key it yields through the raw API: the
  // reader's view is fixed, so it still yields all four keys in order.
  Result<std::unique_ptr<StorageReader>> reader = storage_->Reader(ctx_);
  ASSERT_TRUE(reader.ok()) << "Storage::Reader failed: " << reader.status();
  ASSERT_NE(*reader, nullptr);
  Result<std::unique_ptr<DBIterator>> it = (*reader)->IterCF(kCfDefault);
  ASSERT_TRUE(it.ok()) << it.status();
  ASSERT_NE(*it, nullptr);
  std::vector<std::string> seen;
  for ((*it)->Seek(""); (*it)->Valid() && seen.size() < 10; (*it)->Next()) {
    seen.emplace_back((*it)->key());
    ASSERT_TRUE(MustDelete(kCfDefault, seen.back()));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"k1", "k2", "k3", "k4"}));
  it = Status::Internal("released");
  (*reader)->Close();
  Pairs left = MustScan(kCfDefault, "", 10);
  EXPECT_TRUE(left.empty()) << "after deleting every key, RawScan gave " << Describe(left);
}

TEST_F(Lab1, RawScanLimitIsHonoured) {
  for (char c = 'a'; c <= 'e'; c++) ASSERT_TRUE(MustPut(kCfDefault, std::string(1, c), "v"));
  EXPECT_EQ(MustScan(kCfDefault, "", 1).size(), 1u) << "limit 1";
  EXPECT_EQ(MustScan(kCfDefault, "", 5).size(), 5u) << "limit = number of keys";
  EXPECT_EQ(MustScan(kCfDefault, "", 100).size(), 5u) << "limit > number of keys";
  EXPECT_EQ(MustScan(kCfDefault, "c", 100).size(), 3u) << "from 'c' on";
  EXPECT_EQ(MustScan(kCfDefault, "", 0).size(), 0u) << "limit 0 returns no pairs";
  EXPECT_EQ(MustScan(kCfDefault, "f", 10).size(), 0u) << "starting after the last key";
}

TEST_F(Lab1, RawScanStaysInItsColumnFamily) {
  ASSERT_TRUE(MustPut(kCfDefault, "a", "default-a"));
  ASSERT_TRUE(MustPut(kCfLock, "b", "lock-b"));
  ASSERT_TRUE(MustPut(kCfWrite, "c", "write-c"));
  ASSERT_TRUE(MustPut(kCfDefault, "d", "default-d"));
  Pairs want = {{"a", "default-a"}, {"d", "default-d"}};
  Pairs got = MustScan(kCfDefault, "", 10);
  EXPECT_EQ(got, want) << "RawScan(cf=default) gave " << Describe(got);
  got = MustScan(kCfLock, "", 10);
  EXPECT_EQ(got, (Pairs{{"b", "lock-b"}})) << "RawScan(cf=lock) gave " << Describe(got);
  EXPECT_TRUE(Get(kCfWrite, "a").not_found()) << "key 'a' of cf default showed up in cf write";
}

TEST_F(Lab1, RawEmptyValueIsFound) {
  ASSERT_TRUE(MustPut(kCfDefault, "k", ""));
  kvrpcpb::RawGetResponse resp = Get(kCfDefault, "k");
  EXPECT_EQ(resp.error(), "");
  EXPECT_FALSE(resp.not_found()) << "a key whose value is empty exists: not_found must be false";
  EXPECT_EQ(resp.value(), "");
  EXPECT_EQ(StorageGet(kCfDefault, "k"), ""s)
      << "RawPut of an empty value did not reach the storage";
}

TEST_F(Lab1, RawEmptyKey) {
  ASSERT_TRUE(MustPut(kCfDefault, "", "empty-key"));
  ASSERT_TRUE(MustPut(kCfDefault, "a", "1"));
  kvrpcpb::RawGetResponse resp = Get(kCfDefault, "");
  EXPECT_FALSE(resp.not_found());
  EXPECT_EQ(resp.value(), "empty-key");
  Pairs got = MustScan(kCfDefault, "", 10);
  EXPECT_EQ(got, (Pairs{{"", "empty-key"}, {"a", "1"}}))
      << "the empty key sorts first: RawScan gave " << Describe(got);
  ASSERT_TRUE(MustDelete(kCfDefault, ""));
  EXPECT_TRUE(Get(kCfDefault, "").not_found());
}

TEST_F(Lab1, RawLargeValue) {
  std::string big(6 << 20, 'x');
  for (size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>(i / 4096);
  ASSERT_TRUE(MustPut(kCfDefault, "big", big));
  kvrpcpb::RawGetResponse resp = Get(kCfDefault, "big");
  EXPECT_FALSE(resp.not_found());
  EXPECT_TRUE(resp.value() == big)
      << "a 6 MiB value came back as " << resp.value().size() << " different bytes";
  Pairs got = MustScan(kCfDefault, "", 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].second == big);
}

TEST_F(Lab1, RawBinaryKeysScanInByteOrder) {
  const std::string k0("\x00", 1), k1("\x00\x00", 2), k2("\x7f", 1), k3("\x80", 1),
      k4("\xff\xff", 2);
  for (const std::string& k : {k3, k0, k4, k2, k1}) ASSERT_TRUE(MustPut(kCfDefault, k, k));
  Pairs got = MustScan(kCfDefault, "", 10);
  Pairs want = {{k0, k0}, {k1, k1}, {k2, k2}, {k3, k3}, {k4, k4}};
  EXPECT_EQ(got, want) << "keys compare as unsigned bytes: RawScan gave " << Describe(got);
}

TEST_F(Lab1, RawRestartKeepsData) {
  ASSERT_TRUE(MustPut(kCfDefault, "a", "1"));
  ASSERT_TRUE(MustPut(kCfLock, "b", "2"));
  ASSERT_TRUE(MustPut(kCfDefault, "c", "3"));
  ASSERT_TRUE(MustDelete(kCfDefault, "c"));
  ASSERT_NO_FATAL_FAILURE(Restart());
  EXPECT_EQ(Get(kCfDefault, "a").value(), "1");
  EXPECT_EQ(Get(kCfLock, "b").value(), "2");
  EXPECT_TRUE(Get(kCfDefault, "c").not_found()) << "a delete was lost in the restart";
  EXPECT_EQ(MustScan(kCfDefault, "", 10), (Pairs{{"a", "1"}}));
}

TEST_F(Lab1, RawErrorsAreReported) {
  // An unknown column family is an error of the storage; each call must report it in the
  // response instead of crashing or pretending to succeed.
  kvrpcpb::RawGetResponse get = Get("no-such-cf", "k");
  EXPECT_NE(get.error(), "") << "RawGet on an unknown column family reported no error";
  EXPECT_FALSE(get.not_found()) << "an error is not a missing key";
  EXPECT_NE(Put("no-such-cf", "k", "v").error(), "")
      << "RawPut on an unknown column family reported no error";
  EXPECT_NE(Delete("no-such-cf", "k").error(), "")
      << "RawDelete on an unknown column family reported no error";
  kvrpcpb::RawScanResponse scan = Scan("no-such-cf", "", 10);
  EXPECT_NE(scan.error(), "") << "RawScan on an unknown column family reported no error";
  EXPECT_EQ(scan.kvs_size(), 0);
}

}  // namespace
}  // namespace kv::lab1
