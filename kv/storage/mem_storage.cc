#include "kv/storage/mem_storage.h"

#include <utility>

#include "kv/engine_util/cf.h"

namespace kv {
namespace {

Status UnknownCf(std::string_view what, std::string_view cf) {
  return Status::InvalidArgument(std::string(what) + ": unknown column family '" + std::string(cf) +
                                 "' (MemStorage has default, lock, write)");
}

class MemIterator : public DBIterator {
 public:
  explicit MemIterator(std::shared_ptr<const MemStorage::CfMap> map)
      : map_(std::move(map)), it_(map_->end()) {}

  void Seek(std::string_view key) override { it_ = map_->lower_bound(key); }
  void SeekToFirst() override { it_ = map_->begin(); }
  bool Valid() const override { return it_ != map_->end(); }
  void Next() override {
    if (Valid()) ++it_;
  }
  std::string_view key() const override { return it_->first; }
  std::string_view value() const override { return it_->second; }
  Status status() const override { return Status::OK(); }

 private:
  std::shared_ptr<const MemStorage::CfMap> map_;
  MemStorage::CfMap::const_iterator it_;
};

class MemReader : public StorageReader {
 public:
  explicit MemReader(std::map<std::string, std::shared_ptr<MemStorage::CfMap>, std::less<>> cfs)
      : cfs_(std::move(cfs)) {}

  Result<std::optional<std::string>> GetCF(std::string_view cf, std::string_view key) override {
    Result<const MemStorage::CfMap*> map = find(cf, "get");
    if (!map.ok()) return map.status();
    auto it = (*map)->find(key);
    if (it == (*map)->end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }

  Result<std::unique_ptr<DBIterator>> IterCF(std::string_view cf) override {
    Result<const MemStorage::CfMap*> map = find(cf, "iterate");
    if (!map.ok()) return map.status();
    return std::unique_ptr<DBIterator>(new MemIterator(cfs_.find(cf)->second));
  }

  void Close() override {
    closed_ = true;
    cfs_.clear();
  }

 private:
  Result<const MemStorage::CfMap*> find(std::string_view cf, std::string_view what) const {
    if (closed_) return Status::InvalidArgument(std::string(what) + ": the reader is closed");
    auto it = cfs_.find(cf);
    if (it == cfs_.end()) return UnknownCf(what, cf);
    return static_cast<const MemStorage::CfMap*>(it->second.get());
  }

  std::map<std::string, std::shared_ptr<MemStorage::CfMap>, std::less<>> cfs_;
  bool closed_ = false;
};

}  // namespace

MemStorage::MemStorage() {
  for (const std::string& cf : DataCfs()) cfs_[cf] = std::make_shared<CfMap>();
}

Status MemStorage::Write(const kvrpcpb::Context&, const std::vector<Modify>& batch) {
  std::lock_guard<std::mutex> lock(mu_);
  // Check every column family first, so a bad batch changes nothing.
  for (const Modify& m : batch) {
    if (cfs_.find(m.cf) == cfs_.end()) return UnknownCf("write", m.cf);
  }
  for (const Modify& m : batch) {
    std::shared_ptr<CfMap>& map = cfs_.find(m.cf)->second;
    // A reader shares this map: give the storage its own copy, leave the reader's alone.
    if (map.use_count() > 1) map = std::make_shared<CfMap>(*map);
    if (m.type == Modify::Type::kPut) {
      (*map)[m.key] = m.value;
    } else {
      map->erase(m.key);
    }
  }
  return Status::OK();
}

Result<std::unique_ptr<StorageReader>> MemStorage::Reader(const kvrpcpb::Context&) {
  std::lock_guard<std::mutex> lock(mu_);
  return std::unique_ptr<StorageReader>(new MemReader(cfs_));
}

size_t MemStorage::Len(std::string_view cf) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = cfs_.find(cf);
  return it == cfs_.end() ? 0 : it->second->size();
}

}  // namespace kv
