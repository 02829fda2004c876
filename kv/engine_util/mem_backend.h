#pragma once

// The in-memory backend of an Engine: per column family an ordered map from key to its
// versions, so that snapshots and iterators read one point in time while writes go on. What
// simulated clusters run on (EngineOptions::memory): the same semantics as RocksDB for
// everything Engine offers, at a fraction of the CPU. Private to kv/engine_util; the public
// part is MemoryEngines in engine.h.

#include <memory>
#include <string>
#include <vector>

#include "kv/engine_util/backend.h"
#include "kv/engine_util/engine.h"

namespace kv {

// Opens (or creates) the engine at options.path in options.memory. Errors as RocksDB's
// (without context): kInvalidArgument when it is missing and create_if_missing is false, exists
// and error_if_exists is set, or was made with other column families; kBusy while another
// engine has it open.
Result<std::unique_ptr<Backend>> OpenMemBackend(const EngineOptions& options,
                                                const std::vector<std::string>& cfs);
// Forgets the engine at options.path (kBusy while it is open; a missing one is fine).
Status DestroyMemBackend(const EngineOptions& options);

}  // namespace kv
