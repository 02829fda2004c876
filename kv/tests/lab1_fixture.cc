#include "kv/tests/lab1_fixture.h"

namespace kv::lab1 {

std::string Describe(const Pairs& pairs) {
  std::string out = "[";
  for (size_t i = 0; i < pairs.size(); i++) {
    if (i > 0) out += ", ";
    std::string value = pairs[i].second.size() > 40
                            ? "<" + std::to_string(pairs[i].second.size()) + " bytes>"
                            : HexKey(pairs[i].second);
    out += "(" + HexKey(pairs[i].first) + " -> " + value + ")";
  }
  return out + "]";
}

void Lab1Fixture::SetUp() {
  env_ = NewInMemoryEnv();
  config_.db_path = "/lab1/db";
  config_.env = env_;
  storage_ = std::make_unique<StandaloneStorage>(config_);
  Status s = storage_->Start();
  ASSERT_TRUE(s.ok()) << "StandaloneStorage::Start on " << config_.db_path << " failed: " << s;
  server_ = std::make_unique<Server>(storage_.get());
}

void Lab1Fixture::TearDown() {
  server_.reset();
  if (storage_) {
    Status s = storage_->Stop();
    EXPECT_TRUE(s.ok()) << "StandaloneStorage::Stop failed: " << s;
  }
  storage_.reset();
}

void Lab1Fixture::Restart() {
  server_.reset();
  Status s = storage_->Stop();
  ASSERT_TRUE(s.ok()) << "StandaloneStorage::Stop failed: " << s;
  storage_ = std::make_unique<StandaloneStorage>(config_);
  s = storage_->Start();
  ASSERT_TRUE(s.ok()) << "StandaloneStorage::Start after a Stop on the same directory failed "
                         "(did Stop close the engine?): "
                      << s;
  server_ = std::make_unique<Server>(storage_.get());
}

bool Lab1Fixture::StoragePut(std::string_view cf, std::string_view key, std::string_view value) {
  Status s = storage_->Write(ctx_, {Modify::Put(cf, key, value)});
  EXPECT_TRUE(s.ok()) << "Storage::Write(Put cf=" << cf << " key=" << HexKey(key)
                      << ") failed: " << s;
  return s.ok();
}

bool Lab1Fixture::StorageDelete(std::string_view cf, std::string_view key) {
  Status s = storage_->Write(ctx_, {Modify::Delete(cf, key)});
  EXPECT_TRUE(s.ok()) << "Storage::Write(Delete cf=" << cf << " key=" << HexKey(key)
                      << ") failed: " << s;
  return s.ok();
}

std::optional<std::string> Lab1Fixture::StorageGet(std::string_view cf, std::string_view key) {
  Result<std::unique_ptr<StorageReader>> reader = storage_->Reader(ctx_);
  EXPECT_TRUE(reader.ok()) << "Storage::Reader failed: " << reader.status();
  if (!reader.ok()) return std::nullopt;
  EXPECT_NE(*reader, nullptr) << "Storage::Reader returned a null reader";
  if (*reader == nullptr) return std::nullopt;
  Result<std::optional<std::string>> v = (*reader)->GetCF(cf, key);
  EXPECT_TRUE(v.ok()) << "StorageReader::GetCF(cf=" << cf << " key=" << HexKey(key)
                      << ") failed: " << v.status();
  return v.ok() ? *v : std::nullopt;
}

Pairs Lab1Fixture::StorageScan(std::string_view cf, std::string_view start) {
  Pairs out;
  Result<std::unique_ptr<StorageReader>> reader = storage_->Reader(ctx_);
  EXPECT_TRUE(reader.ok()) << "Storage::Reader failed: " << reader.status();
  if (!reader.ok() || *reader == nullptr) return out;
  Result<std::unique_ptr<DBIterator>> it = (*reader)->IterCF(cf);
  EXPECT_TRUE(it.ok()) << "StorageReader::IterCF(" << cf << ") failed: " << it.status();
  if (!it.ok() || *it == nullptr) return out;
  // Bounded, so that an iterator that never ends fails the test instead of hanging it.
  constexpr size_t kMaxPairs = 1 << 20;
  for ((*it)->Seek(start); (*it)->Valid() && out.size() < kMaxPairs; (*it)->Next()) {
    out.emplace_back(std::string((*it)->key()), std::string((*it)->value()));
  }
  EXPECT_TRUE((*it)->status().ok()) << "iterating cf " << cf << ": " << (*it)->status();
  return out;
}

kvrpcpb::RawGetResponse Lab1Fixture::Get(std::string_view cf, std::string_view key) {
  kvrpcpb::RawGetRequest req;
  *req.mutable_context() = ctx_;
  req.set_cf(std::string(cf));
  req.set_key(std::string(key));
  return server_->RawGet(req);
}

kvrpcpb::RawPutResponse Lab1Fixture::Put(std::string_view cf, std::string_view key,
                                         std::string_view value) {
  kvrpcpb::RawPutRequest req;
  *req.mutable_context() = ctx_;
  req.set_cf(std::string(cf));
  req.set_key(std::string(key));
  req.set_value(std::string(value));
  return server_->RawPut(req);
}

kvrpcpb::RawDeleteResponse Lab1Fixture::Delete(std::string_view cf, std::string_view key) {
  kvrpcpb::RawDeleteRequest req;
  *req.mutable_context() = ctx_;
  req.set_cf(std::string(cf));
  req.set_key(std::string(key));
  return server_->RawDelete(req);
}

kvrpcpb::RawScanResponse Lab1Fixture::Scan(std::string_view cf, std::string_view start,
                                           uint32_t limit) {
  kvrpcpb::RawScanRequest req;
  *req.mutable_context() = ctx_;
  req.set_cf(std::string(cf));
  req.set_start_key(std::string(start));
  req.set_limit(limit);
  return server_->RawScan(req);
}

bool Lab1Fixture::MustPut(std::string_view cf, std::string_view key, std::string_view value) {
  kvrpcpb::RawPutResponse resp = Put(cf, key, value);
  EXPECT_EQ(resp.error(), "") << "RawPut(cf=" << cf << " key=" << HexKey(key)
                              << ") reported an error";
  return resp.error().empty();
}

bool Lab1Fixture::MustDelete(std::string_view cf, std::string_view key) {
  kvrpcpb::RawDeleteResponse resp = Delete(cf, key);
  EXPECT_EQ(resp.error(), "") << "RawDelete(cf=" << cf << " key=" << HexKey(key)
                              << ") reported an error";
  return resp.error().empty();
}

Pairs Lab1Fixture::MustScan(std::string_view cf, std::string_view start, uint32_t limit) {
  kvrpcpb::RawScanResponse resp = Scan(cf, start, limit);
  EXPECT_EQ(resp.error(), "") << "RawScan(cf=" << cf << " start=" << HexKey(start)
                              << " limit=" << limit << ") reported an error";
  Pairs out;
  for (const kvrpcpb::KvPair& kv : resp.kvs()) out.emplace_back(kv.key(), kv.value());
  return out;
}

}  // namespace kv::lab1
