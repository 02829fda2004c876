// Fuzz target: raftstore's meta values (raftstore/meta/values.h) as read back from the
// engines. The input's first byte picks the value (RegionLocalState, RaftLocalState,
// RaftApplyState, a log entry), the rest is stored as is under its key in an in-memory
// engine; reading it must give the value, "none", or a kCorruption error, never a crash, and
// the reads must leave the engine as it was.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "fuzz/fuzz_check.h"
#include "kv/engine_util/cf.h"
#include "kv/engine_util/engine.h"
#include "raftstore/meta/keys.h"
#include "raftstore/meta/values.h"

namespace {

constexpr uint64_t kRegion = 7;

kv::Engine& TheEngine() {
  static std::shared_ptr<rocksdb::Env> env = kv::NewInMemoryEnv();
  static std::unique_ptr<kv::Engine> engine = [] {
    kv::EngineOptions o;
    o.path = "/fuzz/engine";
    o.env = env;
    auto e = kv::Engine::Open(kv::Engine::Kind::kKv, o);
    FUZZ_CHECK(e.ok(), "cannot open the in-memory engine");
    return std::move(*e);
  }();
  return *engine;
}

metapb::Region RegionWithPeers() {
  metapb::Region r;
  r.set_id(kRegion);
  r.add_peers()->set_id(1);
  r.add_peers()->set_id(2);
  return r;
}

template <typename R>
void ExpectValueOrError(const R& r, const std::string& what) {
  // An error must say what it is (and so is never a silent "OK, nothing").
  if (!r.ok()) FUZZ_CHECK(!r.status().ToString().empty(), what.c_str());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace raftstore::meta;
  if (size == 0) return 0;
  kv::Engine& engine = TheEngine();
  const std::string value(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string key;
  switch (data[0] % 4) {
    case 0:
      key = RegionStateKey(kRegion);
      break;
    case 1:
      key = RaftStateKey(kRegion);
      break;
    case 2:
      key = ApplyStateKey(kRegion);
      break;
    default:
      key = RaftLogKey(kRegion, kRaftInitLogIndex + 1);
      break;
  }
  FUZZ_CHECK(engine.PutCF(kv::kCfRaft, key, value).ok(), "cannot store the value");

  ExpectValueOrError(GetRegionLocalState(engine, kRegion),
                     "GetRegionLocalState: an error without a message");
  ExpectValueOrError(GetRaftLocalState(engine, kRegion),
                     "GetRaftLocalState: an error without a message");
  ExpectValueOrError(GetApplyState(engine, kRegion), "GetApplyState: an error without a message");
  ExpectValueOrError(GetRaftEntry(engine, kRegion, kRaftInitLogIndex + 1),
                     "GetRaftEntry: an error without a message");
  ExpectValueOrError(InitRaftLocalState(engine, RegionWithPeers()),
                     "InitRaftLocalState: an error without a message");
  ExpectValueOrError(InitApplyState(engine, RegionWithPeers()),
                     "InitApplyState: an error without a message");
  metapb::Region empty;
  empty.set_id(kRegion);
  ExpectValueOrError(InitRaftLocalState(engine, empty),
                     "InitRaftLocalState: an error without a message");

  // Reads change nothing: the stored bytes are still there, exactly.
  auto back = engine.GetCF(kv::kCfRaft, key);
  FUZZ_CHECK(back.ok() && back->has_value() && **back == value,
             "reading meta values changed the engine");
  FUZZ_CHECK(engine.DeleteCF(kv::kCfRaft, key).ok(), "cannot delete the value");
  return 0;
}
