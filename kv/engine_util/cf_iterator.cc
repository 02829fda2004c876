#include "kv/engine_util/cf_iterator.h"

#include "kv/engine_util/engine.h"
#include "kv/engine_util/rocks_status.h"

namespace kv {

CfIterator::CfIterator(const Engine* engine, std::string cf,
                       std::shared_ptr<const rocksdb::Snapshot> snap,
                       std::unique_ptr<rocksdb::Iterator> it)
    : engine_(engine), cf_(std::move(cf)), snap_(std::move(snap)), it_(std::move(it)) {
  engine_->open_readers_.fetch_add(1);
}

CfIterator::~CfIterator() {
  // The RocksDB iterator goes first; then the snapshot it read (if this was its last user).
  it_.reset();
  snap_.reset();
  engine_->open_readers_.fetch_sub(1);
}

void CfIterator::Seek(std::string_view key) { it_->Seek(rocksdb::Slice(key.data(), key.size())); }

void CfIterator::SeekToFirst() { it_->SeekToFirst(); }

void CfIterator::SeekToLast() { it_->SeekToLast(); }

bool CfIterator::Valid() const { return it_->Valid(); }

void CfIterator::Next() {
  if (it_->Valid()) it_->Next();
}

void CfIterator::Prev() {
  if (it_->Valid()) it_->Prev();
}

std::string_view CfIterator::key() const {
  rocksdb::Slice k = it_->key();
  return {k.data(), k.size()};
}

std::string_view CfIterator::value() const {
  rocksdb::Slice v = it_->value();
  return {v.data(), v.size()};
}

Status CfIterator::status() const {
  return FromRocks(it_->status(), "iterate cf " + cf_ + " in " + engine_->path());
}

}  // namespace kv
