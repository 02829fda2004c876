#pragma once

// Turns a rocksdb::Status into the kv layer's Status, for code that calls RocksDB directly
// (the engines, and raftstore's snapshot files).

#include <rocksdb/status.h>

#include <string_view>

#include "kv/engine_util/status.h"

namespace kv {

// `what` says what was being done and where: "open kv engine at /data/kv",
// "get cf write key 0x6b31 in /data/kv"; empty: the message is RocksDB's alone (the caller
// annotates it).
Status FromRocks(const rocksdb::Status& s, std::string_view what);

}  // namespace kv
