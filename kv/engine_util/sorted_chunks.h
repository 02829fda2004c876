#pragma once

// An ordered map from string keys to V kept in sorted chunks of at most kMaxChunk items: a
// walk in key order reads memory in sequence (a scan of thousands of keys is what the
// in-memory engine spends most of its time on; std::map's one node per key makes every step
// a cache miss), and an insert moves at most one chunk's items. Positions are (chunk, index)
// pairs, invalidated by any insert or erase: version() changes then, so a reader that keeps a
// position across writes seeks again by key. Not thread-safe. For mem_backend.cc.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kv {

template <typename V>
class SortedChunks {
 public:
  struct Item {
    std::string key;
    V value;
  };
  struct Pos {
    size_t chunk = 0;
    size_t i = 0;
    bool operator==(const Pos&) const = default;
  };

  bool empty() const { return chunks_.empty(); }
  uint64_t version() const { return version_; }
  Pos begin() const { return Pos{0, 0}; }
  Pos end() const { return Pos{chunks_.size(), 0}; }
  bool AtEnd(Pos p) const { return p.chunk >= chunks_.size(); }
  Item& At(Pos p) { return chunks_[p.chunk][p.i]; }
  const Item& At(Pos p) const { return chunks_[p.chunk][p.i]; }

  // The first item whose key is >= `key` (end() if none).
  Pos LowerBound(std::string_view key) const {
    auto c = std::partition_point(chunks_.begin(), chunks_.end(), [&](const std::vector<Item>& ch) {
      return std::string_view(ch.back().key) < key;
    });
    if (c == chunks_.end()) return end();
    auto it = std::partition_point(
        c->begin(), c->end(), [&](const Item& item) { return std::string_view(item.key) < key; });
    return Pos{static_cast<size_t>(c - chunks_.begin()), static_cast<size_t>(it - c->begin())};
  }

  // The item at `key`, or end().
  Pos Find(std::string_view key) const {
    Pos p = LowerBound(key);
    return !AtEnd(p) && At(p).key == key ? p : end();
  }

  Pos Next(Pos p) const {
    if (++p.i == chunks_[p.chunk].size()) p = Pos{p.chunk + 1, 0};
    return p;
  }
  // Precondition: p != begin().
  Pos Prev(Pos p) const {
    if (p.i > 0) return Pos{p.chunk, p.i - 1};
    return Pos{p.chunk - 1, chunks_[p.chunk - 1].size() - 1};
  }

  // Inserts `key` (not present) at `p` = LowerBound(key); returns its position.
  Pos Insert(Pos p, std::string key, V value) {
    ++version_;
    if (chunks_.empty()) {
      chunks_.emplace_back();
      chunks_.back().reserve(kMaxChunk);
      p = begin();
    } else if (AtEnd(p)) {
      p = Pos{chunks_.size() - 1, chunks_.back().size()};
    }
    if (chunks_[p.chunk].size() == kMaxChunk) p = splitFor(p);
    std::vector<Item>& ch = chunks_[p.chunk];
    ch.insert(ch.begin() + static_cast<std::ptrdiff_t>(p.i),
              Item{std::move(key), std::move(value)});
    return p;
  }

  // Erases the item at `p`; returns the position of the item after it.
  Pos Erase(Pos p) {
    ++version_;
    std::vector<Item>& ch = chunks_[p.chunk];
    ch.erase(ch.begin() + static_cast<std::ptrdiff_t>(p.i));
    if (ch.empty()) {
      chunks_.erase(chunks_.begin() + static_cast<std::ptrdiff_t>(p.chunk));
      return Pos{p.chunk, 0};
    }
    return p.i < ch.size() ? p : Pos{p.chunk + 1, 0};
  }

 private:
  static constexpr size_t kMaxChunk = 128;

  // Splits p's full chunk before an insert at `p` (so the chunk never grows past its reserved
  // kMaxChunk items and reallocates); returns where the new item goes. An insert at the
  // chunk's tail (a raft log's next entry lands just before the raft state key, or at the
  // very end) moves only the items after it, so keys written in order fill whole chunks
  // instead of leaving every chunk half empty; any other insert splits the chunk in halves.
  Pos splitFor(Pos p) {
    std::vector<Item>& ch = chunks_[p.chunk];
    const size_t cut = p.i + 1 >= ch.size() ? p.i : ch.size() / 2;
    std::vector<Item> upper;
    upper.reserve(kMaxChunk);
    std::move(ch.begin() + static_cast<std::ptrdiff_t>(cut), ch.end(), std::back_inserter(upper));
    ch.erase(ch.begin() + static_cast<std::ptrdiff_t>(cut), ch.end());
    chunks_.insert(chunks_.begin() + static_cast<std::ptrdiff_t>(p.chunk) + 1, std::move(upper));
    return p.i >= cut ? Pos{p.chunk + 1, p.i - cut} : p;
  }

  std::vector<std::vector<Item>> chunks_;
  uint64_t version_ = 0;
};

}  // namespace kv
