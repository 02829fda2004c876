#include "raft/sim/state_machine.h"

#include "raft/sim/hash.h"
#include "raft/sim/log_view.h"

namespace raft::sim {

namespace {

constexpr char kMagic[] = "tinykv-sim-kv/1";

void PutU64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void PutString(std::string& out, const std::string& s) {
  PutU64(out, s.size());
  out += s;
}

// Reads from `data` at `pos`, advancing it; false when the data runs out.
bool GetU64(const std::string& data, size_t& pos, uint64_t& v) {
  if (data.size() - pos < 8) return false;
  v = 0;
  for (int i = 0; i < 8; ++i)
    v |= static_cast<uint64_t>(static_cast<unsigned char>(data[pos + i])) << (8 * i);
  pos += 8;
  return true;
}

bool GetString(const std::string& data, size_t& pos, std::string& s) {
  uint64_t n = 0;
  if (!GetU64(data, pos, n) || data.size() - pos < n) return false;
  s.assign(data, pos, n);
  pos += n;
  return true;
}

}  // namespace

uint64_t KvStateMachine::Step(uint64_t digest, uint64_t index, uint64_t term, uint64_t entry_hash) {
  return Combine(Combine(digest, index), Combine(term, entry_hash));
}

void KvStateMachine::Apply(const eraftpb::Entry& e) {
  digest_ = Step(digest_, e.index(), e.term(), IdOf(e).data_hash);
  applied_ = e.index();
  applied_term_ = e.term();
  if (e.entry_type() != eraftpb::EntryNormal) return;
  const std::string& d = e.data();
  const size_t eq = d.find('=');
  if (eq == std::string::npos || eq == 0) return;
  kv_[d.substr(0, eq)] = d.substr(eq + 1);
  ++writes_;
}

std::optional<std::string> KvStateMachine::Get(const std::string& key) const {
  auto it = kv_.find(key);
  if (it == kv_.end()) return std::nullopt;
  return it->second;
}

std::string KvStateMachine::Encode() const {
  std::string out = kMagic;
  PutU64(out, applied_);
  PutU64(out, applied_term_);
  PutU64(out, digest_);
  PutU64(out, writes_);
  PutU64(out, kv_.size());
  for (const auto& [k, v] : kv_) {
    PutString(out, k);
    PutString(out, v);
  }
  return out;
}

std::optional<KvStateMachine> KvStateMachine::Decode(const std::string& data) {
  const std::string magic = kMagic;
  if (data.compare(0, magic.size(), magic) != 0) return std::nullopt;
  size_t pos = magic.size();
  KvStateMachine sm;
  uint64_t n = 0;
  if (!GetU64(data, pos, sm.applied_) || !GetU64(data, pos, sm.applied_term_) ||
      !GetU64(data, pos, sm.digest_) || !GetU64(data, pos, sm.writes_) || !GetU64(data, pos, n)) {
    return std::nullopt;
  }
  for (uint64_t i = 0; i < n; ++i) {
    std::string k, v;
    if (!GetString(data, pos, k) || !GetString(data, pos, v)) return std::nullopt;
    sm.kv_.emplace(std::move(k), std::move(v));
  }
  if (pos != data.size()) return std::nullopt;
  return sm;
}

}  // namespace raft::sim
