#include "kv/engine_util/cf_iterator.h"

#include "kv/engine_util/backend.h"
#include "kv/engine_util/engine.h"

namespace kv {

CfIterator::CfIterator(const Engine* engine, std::string cf,
                       std::shared_ptr<const BackendSnapshot> snap,
                       std::unique_ptr<BackendCursor> cursor)
    : engine_(engine), cf_(std::move(cf)), snap_(std::move(snap)), it_(std::move(cursor)) {
  engine_->open_readers_.fetch_add(1);
}

CfIterator::~CfIterator() {
  // The cursor goes first; then the snapshot it read (if this was its last user).
  it_.reset();
  snap_.reset();
  engine_->open_readers_.fetch_sub(1);
}

void CfIterator::Seek(std::string_view key) { it_->Seek(key); }

void CfIterator::SeekToFirst() { it_->SeekToFirst(); }

void CfIterator::SeekToLast() { it_->SeekToLast(); }

bool CfIterator::Valid() const { return it_->Valid(); }

void CfIterator::Next() {
  if (it_->Valid()) it_->Next();
}

void CfIterator::Prev() {
  if (it_->Valid()) it_->Prev();
}

std::string_view CfIterator::key() const { return it_->key(); }

std::string_view CfIterator::value() const { return it_->value(); }

Status CfIterator::status() const {
  return it_->status().Annotate("iterate cf " + cf_ + " in " + engine_->path());
}

}  // namespace kv
