// Fuzz target: raftstore's meta keys (raftstore/meta/keys.h) as read back from the engines.
// Any byte string may sit in an engine under the local prefix (a damaged engine, a bug in
// a writer); decoding it must answer "not such a key", never read out of bounds, and a key
// that does decode must be exactly the one its parts encode to.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "raftstore/meta/keys.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace raftstore::meta;
  const std::string_view key(reinterpret_cast<const char*>(data), size);
  uint64_t region = 0;
  uint64_t index = 0;
  if (DecodeRaftLogKey(key, &region, &index)) {
    FUZZ_CHECK(RaftLogKey(region, index) == key,
               "a decoded raft log key re-encodes to another key");
    FUZZ_CHECK(key.substr(0, kRegionRaftPrefixLen) ==
                   RaftLogKeyPrefix(region).substr(0, kRegionRaftPrefixLen),
               "a raft log key outside its region's prefix");
  }
  char suffix = 0;
  if (DecodeRegionMetaKey(key, &region, &suffix)) {
    FUZZ_CHECK(RegionMetaPrefixKey(region) + suffix == key,
               "a decoded region meta key re-encodes to another key");
  }
  if (IsRaftStateKey(key)) {
    FUZZ_CHECK(
        key.size() == kRegionRaftPrefixLen && RaftStateKey(DecodeU64(key.substr(2, 8))) == key,
        "IsRaftStateKey accepted a key that is not a RaftStateKey");
  }
  const std::string described = DescribeKey(key);
  FUZZ_CHECK(!described.empty() || key.empty(), "DescribeKey of a non-empty key is empty");
  std::string encoded;
  AppendU64(&encoded, DecodeU64(key));
  if (size >= 8) FUZZ_CHECK(encoded == key.substr(0, 8), "DecodeU64/AppendU64 do not round-trip");
  return 0;
}
