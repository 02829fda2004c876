#include "raftstore/region_reader.h"

#include "kv/engine_util/cf_iterator.h"
#include "raftstore/util/checks.h"

namespace raftstore {

namespace {

// A CfIterator that ends at the region's end key and never starts before its start key.
class RegionIterator : public kv::DBIterator {
 public:
  RegionIterator(std::unique_ptr<kv::CfIterator> it, metapb::Region region)
      : it_(std::move(it)), region_(std::move(region)) {}

  void Seek(std::string_view key) override {
    it_->Seek(key < region_.start_key() ? std::string_view(region_.start_key()) : key);
  }
  void SeekToFirst() override { it_->Seek(region_.start_key()); }
  bool Valid() const override {
    return it_->Valid() && !kv::ExceedEndKey(it_->key(), region_.end_key());
  }
  void Next() override { it_->Next(); }
  std::string_view key() const override { return it_->key(); }
  std::string_view value() const override { return it_->value(); }
  kv::Status status() const override { return it_->status(); }

 private:
  std::unique_ptr<kv::CfIterator> it_;
  metapb::Region region_;
};

}  // namespace

kv::Result<std::optional<std::string>> RegionReader::GetCF(std::string_view cf,
                                                           std::string_view key) {
  if (!txn_) return kv::Status::InvalidArgument("region reader is closed");
  if (RegionError err = CheckKeyInRegion(key, region_)) {
    return kv::Status::InvalidArgument(err.ToString());
  }
  return txn_->GetCF(cf, key);
}

kv::Result<std::unique_ptr<kv::DBIterator>> RegionReader::IterCF(std::string_view cf) {
  if (!txn_) return kv::Status::InvalidArgument("region reader is closed");
  auto it = txn_->NewIterator(cf);
  if (!it.ok()) return it.status();
  return std::unique_ptr<kv::DBIterator>(
      std::make_unique<RegionIterator>(std::move(it).value(), region_));
}

}  // namespace raftstore
