// MemStorage: the Storage contract (atomic batches, consistent readers, column families).

#include "kv/storage/mem_storage.h"

#include <gtest/gtest.h>

#include "kv/engine_util/cf.h"

namespace kv {
namespace {

std::string Scan(StorageReader& reader, std::string_view cf, std::string_view from = "") {
  Result<std::unique_ptr<DBIterator>> it = reader.IterCF(cf);
  EXPECT_TRUE(it.ok()) << it.status();
  if (!it.ok()) return "";
  std::string out;
  for ((*it)->Seek(from); (*it)->Valid(); (*it)->Next()) {
    out += (out.empty() ? "" : ",") + std::string((*it)->key()) + "=" + std::string((*it)->value());
  }
  return out;
}

TEST(MemStorage, WriteReadIterate) {
  MemStorage s;
  kvrpcpb::Context ctx;
  ASSERT_TRUE(s.Start().ok());
  ASSERT_TRUE(s.Write(ctx, {Modify::Put(kCfDefault, "b", "2"), Modify::Put(kCfDefault, "a", "1"),
                            Modify::Put(kCfWrite, "a", "w"), Modify::Delete(kCfDefault, "x")})
                  .ok());
  Result<std::unique_ptr<StorageReader>> r = s.Reader(ctx);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->GetCF(kCfDefault, "a").value(), "1");
  EXPECT_EQ((*r)->GetCF(kCfLock, "a").value(), std::nullopt);
  EXPECT_EQ(Scan(**r, kCfDefault), "a=1,b=2");
  EXPECT_EQ(Scan(**r, kCfDefault, "aa"), "b=2");
  EXPECT_EQ(Scan(**r, kCfWrite), "a=w");
  EXPECT_EQ(s.Len(kCfDefault), 2u);
  ASSERT_TRUE(s.Write(ctx, {Modify::Delete(kCfDefault, "a")}).ok());
  EXPECT_EQ(s.Len(kCfDefault), 1u);
  ASSERT_TRUE(s.Stop().ok());
}

TEST(MemStorage, ReaderSeesOneConsistentView) {
  MemStorage s;
  kvrpcpb::Context ctx;
  ASSERT_TRUE(s.Write(ctx, {Modify::Put(kCfDefault, "a", "1")}).ok());
  Result<std::unique_ptr<StorageReader>> r = s.Reader(ctx);
  ASSERT_TRUE(r.ok());
  Result<std::unique_ptr<DBIterator>> it = (*r)->IterCF(kCfDefault);
  ASSERT_TRUE(it.ok());
  ASSERT_TRUE(
      s.Write(ctx, {Modify::Put(kCfDefault, "a", "2"), Modify::Put(kCfDefault, "b", "3")}).ok());
  EXPECT_EQ((*r)->GetCF(kCfDefault, "a").value(), "1");
  EXPECT_EQ(Scan(**r, kCfDefault), "a=1");
  (*r)->Close();
  // The iterator outlives Close and still reads the old view.
  (*it)->SeekToFirst();
  ASSERT_TRUE((*it)->Valid());
  EXPECT_EQ((*it)->value(), "1");
  EXPECT_TRUE((*r)->GetCF(kCfDefault, "a").status().IsInvalidArgument());
  Result<std::unique_ptr<StorageReader>> fresh = s.Reader(ctx);
  EXPECT_EQ(Scan(**fresh, kCfDefault), "a=2,b=3");
}

TEST(MemStorage, UnknownColumnFamily) {
  MemStorage s;
  kvrpcpb::Context ctx;
  Status st = s.Write(ctx, {Modify::Put(kCfDefault, "a", "1"), Modify::Put("nope", "b", "2")});
  EXPECT_TRUE(st.IsInvalidArgument()) << st;
  EXPECT_EQ(s.Len(kCfDefault), 0u) << "a rejected batch must write nothing";
  Result<std::unique_ptr<StorageReader>> r = s.Reader(ctx);
  EXPECT_TRUE((*r)->GetCF("nope", "a").status().IsInvalidArgument());
  EXPECT_TRUE((*r)->IterCF("nope").status().IsInvalidArgument());
}

}  // namespace
}  // namespace kv
