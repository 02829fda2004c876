#include "kv/engine_util/mem_backend.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <mutex>
#include <set>
#include <utility>

#include "kv/engine_util/sorted_chunks.h"

namespace kv {
namespace {

constexpr uint64_t kNow = std::numeric_limits<uint64_t>::max();

// One value of a key, written by the batch with sequence number `seq`; a delete leaves a
// tombstone for the snapshots that still see the older value.
struct Version {
  uint64_t seq;
  bool deleted;
  std::string value;
};

// A key's versions: the newest inline (a scan reads it without another indirection), older
// ones only while a snapshot may read them.
struct Entry {
  Version newest;
  // Oldest first, all older than `newest`.
  std::vector<Version> older;
};
using CfMap = SortedChunks<Entry>;
using Pos = CfMap::Pos;

// The value readable at `at` (null: none, or deleted).
const std::string* ValueAt(const Entry& e, uint64_t at) {
  const Version* v = nullptr;
  if (e.newest.seq <= at) {
    v = &e.newest;
  } else {
    for (auto o = e.older.rbegin(); o != e.older.rend(); ++o) {
      if (o->seq <= at) {
        v = &*o;
        break;
      }
    }
  }
  return v == nullptr || v->deleted ? nullptr : &v->value;
}

}  // namespace

// The data of one engine (one path). Outlives the Backend that has it open, so that the next
// Open of the same path finds it. `open` is guarded by MemoryEngines::mu, the rest by `mu`.
class MemStore {
 public:
  explicit MemStore(std::vector<std::string> cfs)
      : cf_names(std::move(cfs)), cfs(cf_names.size()) {}

  // A snapshot's point in time; every version newer than the oldest such point and older than
  // what it sees can go.
  uint64_t Acquire() {
    live.insert(seq);
    return seq;
  }
  void Release(uint64_t at) {
    const uint64_t oldest = *live.begin();
    live.erase(live.find(at));
    if (live.empty() || *live.begin() != oldest) collect();
  }

  std::optional<std::string> Get(size_t cf, std::string_view key, uint64_t at) const {
    const Pos p = cfs[cf].Find(key);
    if (cfs[cf].AtEnd(p)) return std::nullopt;
    const std::string* v = ValueAt(cfs[cf].At(p).value, at);
    return v == nullptr ? std::nullopt : std::optional<std::string>(*v);
  }

  // Applies one batch under one new sequence number.
  void Write(const std::vector<BackendOp>& ops) {
    const uint64_t s = ++seq;
    for (const BackendOp& o : ops) {
      const WriteBatch::Op& op = *o.op;
      switch (op.kind) {
        case WriteBatch::Op::Kind::kPut:
          put(o.cf, op.key, Version{s, false, op.value});
          break;
        case WriteBatch::Op::Kind::kDelete:
          put(o.cf, op.key, Version{s, true, {}});
          break;
        case WriteBatch::Op::Kind::kDeleteRange:
          deleteRange(o.cf, op.key, op.value, s);
          break;
      }
    }
  }

  std::mutex mu;
  const std::vector<std::string> cf_names;
  bool open = false;
  std::vector<CfMap> cfs;

 private:
  uint64_t oldestReader() const { return live.empty() ? kNow : *live.begin(); }

  // Drops the versions no reader can see any more (and the key, once nothing of it is
  // visible): everything before the newest version the oldest reader sees. Returns whether
  // the key still holds garbage for later (older versions or a tombstone); `p` moves to the
  // next key if this one went.
  bool prune(size_t cf, Pos& p, bool* erased) {
    Entry& e = cfs[cf].At(p).value;
    const uint64_t oldest = oldestReader();
    if (e.newest.seq <= oldest) {
      e.older.clear();
    } else {
      for (size_t i = e.older.size(); i-- > 0;) {
        if (e.older[i].seq <= oldest) {
          e.older.erase(e.older.begin(), e.older.begin() + static_cast<long>(i));
          break;
        }
      }
    }
    if (e.older.empty() && e.newest.deleted && e.newest.seq <= oldest) {
      p = cfs[cf].Erase(p);
      *erased = true;
      return false;
    }
    *erased = false;
    return !e.older.empty() || e.newest.deleted;
  }

  // Gives the key at `p` the version `v`; `p` moves to the next key if this one went.
  bool setAt(size_t cf, Pos& p, Version v) {
    Entry& e = cfs[cf].At(p).value;
    if (e.newest.seq != v.seq) e.older.push_back(std::move(e.newest));
    e.newest = std::move(v);  // (or the same batch wrote the key before)
    bool erased = false;
    if (prune(cf, p, &erased)) dirty.emplace_back(cf, cfs[cf].At(p).key);
    return erased;
  }

  void put(size_t cf, std::string_view key, Version v) {
    CfMap& m = cfs[cf];
    Pos p = m.LowerBound(key);
    if (m.AtEnd(p) || m.At(p).key != key) {
      // Deleting a key nobody has: nothing to remember.
      if (!v.deleted) m.Insert(p, std::string(key), Entry{std::move(v), {}});
      return;
    }
    setAt(cf, p, std::move(v));
  }

  void deleteRange(size_t cf, std::string_view start, std::string_view end, uint64_t s) {
    if (!end.empty() && start >= end) return;
    CfMap& m = cfs[cf];
    for (Pos p = m.LowerBound(start); !m.AtEnd(p) && (end.empty() || m.At(p).key < end);) {
      if (m.At(p).value.newest.deleted || !setAt(cf, p, Version{s, true, {}})) p = m.Next(p);
    }
  }

  // The oldest reader moved on: the garbage it kept can go.
  void collect() {
    std::sort(dirty.begin(), dirty.end());
    dirty.erase(std::unique(dirty.begin(), dirty.end()), dirty.end());
    std::vector<std::pair<size_t, std::string>> still;
    for (auto& [cf, key] : dirty) {
      Pos p = cfs[cf].Find(key);
      bool erased = false;
      if (!cfs[cf].AtEnd(p) && prune(cf, p, &erased)) still.emplace_back(cf, std::move(key));
    }
    dirty = std::move(still);
  }

  uint64_t seq = 0;
  // The points in time of the live snapshots and iterators.
  std::multiset<uint64_t> live;
  // Keys that may hold versions or tombstones only a snapshot needed (see collect).
  std::vector<std::pair<size_t, std::string>> dirty;
};

class MemoryEngines {
 public:
  std::mutex mu;
  std::map<std::string, std::shared_ptr<MemStore>> stores;
};

std::shared_ptr<MemoryEngines> NewMemoryEngines() { return std::make_shared<MemoryEngines>(); }

namespace {

class MemSnapshot : public BackendSnapshot {
 public:
  explicit MemSnapshot(std::shared_ptr<MemStore> store) : store_(std::move(store)) {
    std::lock_guard<std::mutex> l(store_->mu);
    at_ = store_->Acquire();
  }
  ~MemSnapshot() override {
    std::lock_guard<std::mutex> l(store_->mu);
    store_->Release(at_);
  }
  uint64_t at() const { return at_; }

 private:
  std::shared_ptr<MemStore> store_;
  uint64_t at_;
};

// Walks one column family at one point in time, which it holds (a MemSnapshot of its own when
// not given one). It keeps copies of its key and value, and seeks again by key when a write
// moved the items since its last step.
class MemCursor : public BackendCursor {
 public:
  MemCursor(std::shared_ptr<MemStore> store, size_t cf, std::shared_ptr<const MemSnapshot> own,
            uint64_t at)
      : store_(std::move(store)), map_(&store_->cfs[cf]), own_(std::move(own)), at_(at) {}

  void Seek(std::string_view key) override {
    std::lock_guard<std::mutex> l(store_->mu);
    pos_ = map_->LowerBound(key);
    forward();
  }
  void SeekToFirst() override {
    std::lock_guard<std::mutex> l(store_->mu);
    pos_ = map_->begin();
    forward();
  }
  void SeekToLast() override {
    std::lock_guard<std::mutex> l(store_->mu);
    pos_ = map_->end();
    backFrom();
  }
  bool Valid() const override { return valid_; }
  void Next() override {
    std::lock_guard<std::mutex> l(store_->mu);
    if (map_->version() != version_) {
      pos_ = map_->LowerBound(key_);
      if (!map_->AtEnd(pos_) && map_->At(pos_).key == key_) pos_ = map_->Next(pos_);
    } else {
      pos_ = map_->Next(pos_);
    }
    forward();
  }
  void Prev() override {
    std::lock_guard<std::mutex> l(store_->mu);
    if (map_->version() != version_) pos_ = map_->LowerBound(key_);
    backFrom();
  }
  std::string_view key() const override { return key_; }
  std::string_view value() const override { return value_; }
  Status status() const override { return Status::OK(); }

 private:
  // Settles on the first key at or after pos_ that has a value at at_.
  void forward() {
    for (; !map_->AtEnd(pos_); pos_ = map_->Next(pos_)) {
      if (settle()) return;
    }
    valid_ = false;
  }
  // Settles on the last key before pos_ that has a value at at_.
  void backFrom() {
    while (!(pos_ == map_->begin())) {
      pos_ = map_->Prev(pos_);
      if (settle()) return;
    }
    valid_ = false;
  }
  bool settle() {
    const CfMap::Item& item = map_->At(pos_);
    const std::string* v = ValueAt(item.value, at_);
    if (v == nullptr) return false;
    key_.assign(item.key);
    value_.assign(*v);
    version_ = map_->version();
    valid_ = true;
    return true;
  }

  std::shared_ptr<MemStore> store_;
  const CfMap* map_;
  std::shared_ptr<const MemSnapshot> own_;
  uint64_t at_;
  Pos pos_;
  uint64_t version_ = 0;
  bool valid_ = false;
  std::string key_;
  std::string value_;
};

class MemBackend : public Backend {
 public:
  MemBackend(std::shared_ptr<MemoryEngines> engines, std::shared_ptr<MemStore> store)
      : engines_(std::move(engines)), store_(std::move(store)) {}
  ~MemBackend() override { (void)Close(); }

  Result<std::optional<std::string>> Get(size_t cf, std::string_view key,
                                         const BackendSnapshot* at) const override {
    std::lock_guard<std::mutex> l(store_->mu);
    return store_->Get(cf, key, pointOf(at));
  }

  Status Write(const std::vector<BackendOp>& ops, bool) override {
    std::lock_guard<std::mutex> l(store_->mu);
    store_->Write(ops);
    return Status::OK();
  }

  std::shared_ptr<const BackendSnapshot> NewSnapshot() const override {
    return std::make_shared<MemSnapshot>(store_);
  }

  std::unique_ptr<BackendCursor> NewCursor(size_t cf, const BackendSnapshot* at) const override {
    std::shared_ptr<const MemSnapshot> own;
    if (at == nullptr) own = std::make_shared<MemSnapshot>(store_);
    const uint64_t point = at != nullptr ? pointOf(at) : own->at();
    return std::make_unique<MemCursor>(store_, cf, std::move(own), point);
  }

  Result<std::unique_ptr<BackendReplacement>> NewReplacement(std::string_view start,
                                                             std::string_view end,
                                                             const std::vector<size_t>& cfs,
                                                             const std::string&,
                                                             const rocksdb::Options&) override;

  Status Close() override {
    if (store_ == nullptr) return Status::OK();
    std::lock_guard<std::mutex> l(engines_->mu);
    store_->open = false;
    store_ = nullptr;
    return Status::OK();
  }

 private:
  static uint64_t pointOf(const BackendSnapshot* at) {
    return at == nullptr ? kNow : static_cast<const MemSnapshot*>(at)->at();
  }

  std::shared_ptr<MemoryEngines> engines_;
  std::shared_ptr<MemStore> store_;
};

// A range replacement is a write batch here: the range deletions first, then the pairs, all
// written under the store's lock at once.
class MemReplacement : public BackendReplacement {
 public:
  MemReplacement(Backend& backend, const std::vector<std::string>& cf_names, std::string_view start,
                 std::string_view end, const std::vector<size_t>& cfs)
      : backend_(backend), cf_names_(cf_names) {
    for (size_t cf : cfs) {
      batch_.DeleteRangeCF(cf_names_[cf], start, end);
      cf_of_op_.push_back(cf);
    }
  }

  Status Put(size_t cf, std::string_view key, std::string_view value) override {
    batch_.SetCF(cf_names_[cf], key, value);
    cf_of_op_.push_back(cf);
    return Status::OK();
  }

  Status Commit() override {
    std::vector<BackendOp> ops;
    ops.reserve(cf_of_op_.size());
    for (size_t i = 0; i < cf_of_op_.size(); ++i) ops.push_back({&batch_.ops()[i], cf_of_op_[i]});
    return backend_.Write(ops, /*sync=*/false);
  }

 private:
  Backend& backend_;
  const std::vector<std::string>& cf_names_;
  WriteBatch batch_;
  std::vector<size_t> cf_of_op_;  // the column family index of each op of batch_
};

Result<std::unique_ptr<BackendReplacement>> MemBackend::NewReplacement(
    std::string_view start, std::string_view end, const std::vector<size_t>& cfs,
    const std::string&, const rocksdb::Options&) {
  return std::unique_ptr<BackendReplacement>(
      new MemReplacement(*this, store_->cf_names, start, end, cfs));
}

}  // namespace

Result<std::unique_ptr<Backend>> OpenMemBackend(const EngineOptions& options,
                                                const std::vector<std::string>& cfs) {
  MemoryEngines& engines = *options.memory;
  std::lock_guard<std::mutex> l(engines.mu);
  auto found = engines.stores.find(options.path);
  if (found == engines.stores.end()) {
    if (!options.create_if_missing) {
      return Status::InvalidArgument("does not exist (create_if_missing is false)");
    }
    found = engines.stores.emplace(options.path, std::make_shared<MemStore>(cfs)).first;
  } else {
    MemStore& store = *found->second;
    if (options.error_if_exists) return Status::InvalidArgument("exists (error_if_exists is true)");
    if (store.open) return Status::Busy("already open in another engine");
    if (store.cf_names != cfs) {
      std::string had;
      for (const std::string& name : store.cf_names) had += (had.empty() ? "" : ", ") + name;
      return Status::InvalidArgument("holds the column families " + had);
    }
  }
  found->second->open = true;
  return std::unique_ptr<Backend>(new MemBackend(options.memory, found->second));
}

Status DestroyMemBackend(const EngineOptions& options) {
  MemoryEngines& engines = *options.memory;
  std::lock_guard<std::mutex> l(engines.mu);
  auto found = engines.stores.find(options.path);
  if (found == engines.stores.end()) return Status::OK();
  if (found->second->open) return Status::Busy("the engine is open");
  engines.stores.erase(found);
  return Status::OK();
}

}  // namespace kv
