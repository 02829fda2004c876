// Lab 1, part 1: StandaloneStorage through the Storage interface.

#include <gtest/gtest.h>

#include "kv/tests/lab1_fixture.h"

namespace kv::lab1 {
namespace {

using namespace std::string_literals;

class Lab1 : public Lab1Fixture {};

TEST_F(Lab1, StorageWriteThenRead) {
  ASSERT_TRUE(StoragePut(kCfDefault, "apple", "red"));
  EXPECT_EQ(StorageGet(kCfDefault, "apple"), "red"s);
}

TEST_F(Lab1, StorageGetMissingKeyIsNotAnError) {
  ASSERT_TRUE(StoragePut(kCfDefault, "apple", "red"));
  // StorageGet records a failure if GetCF returns an error: a missing key must be nullopt.
  EXPECT_EQ(StorageGet(kCfDefault, "pear"), std::nullopt)
      << "GetCF of a key never written must return std::nullopt";
}

TEST_F(Lab1, StorageDeleteRemovesTheKey) {
  ASSERT_TRUE(StoragePut(kCfDefault, "apple", "red"));
  ASSERT_TRUE(StorageDelete(kCfDefault, "apple"));
  EXPECT_EQ(StorageGet(kCfDefault, "apple"), std::nullopt);
  // Deleting a key that does not exist is fine.
  EXPECT_TRUE(StorageDelete(kCfDefault, "never-there"));
}

TEST_F(Lab1, StorageBatchIsAppliedInOrder) {
  Status s = storage_->Write(ctx_, {
                                       Modify::Put(kCfDefault, "k", "first"),
                                       Modify::Put(kCfDefault, "k", "second"),
                                       Modify::Put(kCfDefault, "gone", "x"),
                                       Modify::Delete(kCfDefault, "gone"),
                                       Modify::Delete(kCfDefault, "back"),
                                       Modify::Put(kCfDefault, "back", "again"),
                                   });
  ASSERT_TRUE(s.ok()) << "Storage::Write of a 6-write batch failed: " << s;
  EXPECT_EQ(StorageGet(kCfDefault, "k"), "second"s) << "the later put of a batch must win";
  EXPECT_EQ(StorageGet(kCfDefault, "gone"), std::nullopt) << "put then delete in one batch";
  EXPECT_EQ(StorageGet(kCfDefault, "back"), "again"s) << "delete then put in one batch";
}

TEST_F(Lab1, StorageColumnFamiliesAreIsolated) {
  ASSERT_TRUE(StoragePut(kCfDefault, "k", "in-default"));
  ASSERT_TRUE(StoragePut(kCfLock, "k", "in-lock"));
  ASSERT_TRUE(StoragePut(kCfWrite, "w", "only-in-write"));
  EXPECT_EQ(StorageGet(kCfDefault, "k"), "in-default"s);
  EXPECT_EQ(StorageGet(kCfLock, "k"), "in-lock"s);
  EXPECT_EQ(StorageGet(kCfWrite, "k"), std::nullopt);
  EXPECT_EQ(StorageGet(kCfDefault, "w"), std::nullopt);
  ASSERT_TRUE(StorageDelete(kCfLock, "k"));
  EXPECT_EQ(StorageGet(kCfDefault, "k"), "in-default"s) << "a delete in cf lock touched default";
}

TEST_F(Lab1, StorageIterCFWalksOneColumnFamilyInKeyOrder) {
  for (const char* k : {"c", "a", "d", "b"}) ASSERT_TRUE(StoragePut(kCfWrite, k, k));
  ASSERT_TRUE(StoragePut(kCfDefault, "bb", "not in cf write"));
  ASSERT_TRUE(StoragePut(kCfLock, "a", "not in cf write"));
  Pairs want = {{"a", "a"}, {"b", "b"}, {"c", "c"}, {"d", "d"}};
  Pairs got = StorageScan(kCfWrite);
  EXPECT_EQ(got, want) << "IterCF(write) gave " << Describe(got) << ", want " << Describe(want)
                       << " (keys exactly as written: no column family prefix)";
  want = {{"c", "c"}, {"d", "d"}};
  got = StorageScan(kCfWrite, "bz");
  EXPECT_EQ(got, want) << "Seek(\"bz\") then Next: gave " << Describe(got);
}

TEST_F(Lab1, StorageReaderSeesOneConsistentView) {
  ASSERT_TRUE(StoragePut(kCfDefault, "a", "old"));
  ASSERT_TRUE(StoragePut(kCfDefault, "b", "old"));
  Result<std::unique_ptr<StorageReader>> reader = storage_->Reader(ctx_);
  ASSERT_TRUE(reader.ok()) << "Storage::Reader failed: " << reader.status();
  ASSERT_NE(*reader, nullptr);

  // Writes after the reader was made are invisible to it.
  ASSERT_TRUE(StoragePut(kCfDefault, "a", "new"));
  ASSERT_TRUE(StorageDelete(kCfDefault, "b"));
  ASSERT_TRUE(StoragePut(kCfDefault, "c", "new"));

  Result<std::optional<std::string>> a = (*reader)->GetCF(kCfDefault, "a");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(*a, "old") << "the reader saw a write made after it was created";
  Result<std::optional<std::string>> b = (*reader)->GetCF(kCfDefault, "b");
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(*b, "old") << "the reader saw a delete made after it was created";

  Result<std::unique_ptr<DBIterator>> it = (*reader)->IterCF(kCfDefault);
  ASSERT_TRUE(it.ok()) << it.status();
  ASSERT_NE(*it, nullptr);
  Pairs got;
  for ((*it)->Seek(""); (*it)->Valid() && got.size() < 10; (*it)->Next()) {
    got.emplace_back(std::string((*it)->key()), std::string((*it)->value()));
  }
  Pairs want = {{"a", "old"}, {"b", "old"}};
  EXPECT_EQ(got, want) << "the reader's iterator gave " << Describe(got);
  it = Status::Internal("released");
  (*reader)->Close();

  // A new reader sees the new state.
  EXPECT_EQ(StorageScan(kCfDefault), (Pairs{{"a", "new"}, {"c", "new"}}));
}

TEST_F(Lab1, StorageUnknownColumnFamilyIsAnError) {
  Status s = storage_->Write(
      ctx_, {Modify::Put(kCfDefault, "k", "v"), Modify::Put("no-such-cf", "k", "v")});
  EXPECT_FALSE(s.ok()) << "writing to column family 'no-such-cf' must fail";
  EXPECT_EQ(StorageGet(kCfDefault, "k"), std::nullopt)
      << "a batch that failed must write nothing (one WriteBatch, written atomically)";
  Result<std::unique_ptr<StorageReader>> reader = storage_->Reader(ctx_);
  ASSERT_TRUE(reader.ok()) << reader.status();
  ASSERT_NE(*reader, nullptr);
  EXPECT_FALSE((*reader)->GetCF("no-such-cf", "k").ok());
  EXPECT_FALSE((*reader)->IterCF("no-such-cf").ok());
}

TEST_F(Lab1, StorageRestartKeepsData) {
  ASSERT_TRUE(StoragePut(kCfDefault, "a", "1"));
  ASSERT_TRUE(StoragePut(kCfWrite, "b", "2"));
  ASSERT_TRUE(StoragePut(kCfDefault, "c", "3"));
  ASSERT_TRUE(StorageDelete(kCfDefault, "c"));
  ASSERT_NO_FATAL_FAILURE(Restart());
  EXPECT_EQ(StorageGet(kCfDefault, "a"), "1"s);
  EXPECT_EQ(StorageGet(kCfWrite, "b"), "2"s);
  EXPECT_EQ(StorageGet(kCfDefault, "c"), std::nullopt);
  // And keeps working after the restart.
  ASSERT_TRUE(StoragePut(kCfDefault, "d", "4"));
  ASSERT_NO_FATAL_FAILURE(Restart());
  EXPECT_EQ(StorageScan(kCfDefault), (Pairs{{"a", "1"}, {"d", "4"}}));
}

TEST_F(Lab1, StorageLargeValues) {
  std::string big(4 << 20, '\0');
  for (size_t i = 0; i < big.size(); i++) big[i] = static_cast<char>(i * 131 % 251);
  ASSERT_TRUE(StoragePut(kCfDefault, "big", big));
  std::optional<std::string> got = StorageGet(kCfDefault, "big");
  ASSERT_TRUE(got.has_value()) << "a 4 MiB value was not found";
  EXPECT_TRUE(*got == big) << "a 4 MiB value came back changed (" << got->size() << " bytes)";
}

TEST_F(Lab1, StorageEmptyKeyAndEmptyValue) {
  ASSERT_TRUE(StoragePut(kCfDefault, "", "value-of-the-empty-key"));
  ASSERT_TRUE(StoragePut(kCfDefault, "empty", ""));
  EXPECT_EQ(StorageGet(kCfDefault, ""), "value-of-the-empty-key"s);
  EXPECT_EQ(StorageGet(kCfDefault, "empty"), std::optional<std::string>(""))
      << "an empty value is a value, not a missing key";
}

TEST_F(Lab1, StorageStopAfterReadersAreClosed) {
  ASSERT_TRUE(StoragePut(kCfDefault, "a", "1"));
  {
    Result<std::unique_ptr<StorageReader>> reader = storage_->Reader(ctx_);
    ASSERT_TRUE(reader.ok()) << reader.status();
    ASSERT_NE(*reader, nullptr);
    (*reader)->Close();
  }
  Status s = storage_->Stop();
  EXPECT_TRUE(s.ok()) << "Stop after every reader was closed failed: " << s;
  EXPECT_TRUE(storage_->Stop().ok()) << "a second Stop must be harmless";
  storage_.reset();
  server_.reset();
}

}  // namespace
}  // namespace kv::lab1
