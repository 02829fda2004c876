#pragma once

// Replica comparison after quiescence: once the clients have stopped and the network healed,
// every store must hold exactly the leader's data. Raft guarantees the logs agree; this checks
// what was *applied* from them — a handler that applies an entry twice, skips one, applies a
// Delete as a Put or writes the wrong column family leaves a store that differs from the
// leader even though every client read looked fine.

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>

#include "raftstore/runtime/runtime.h"
#include "raftstore/testing/cluster.h"

namespace raftstore::testing::audit {

// Runs the cluster until the region has a leader whose whole log is committed and every
// running store has applied the leader's commit index. Fails after `timeout` of simulated
// time with every peer's state.
::testing::AssertionResult WaitQuiescent(Cluster& cluster, uint64_t region_id,
                                         runtime::Micros timeout = 10'000'000);

// Compares every running store's kv engine with the leader's, column family by column family
// (default, lock, write), over the region's key range. A difference names the store, the cf,
// the key (hex) and both values; at most `max_diffs` are listed.
::testing::AssertionResult CompareReplicas(Cluster& cluster, uint64_t region_id,
                                           size_t max_diffs = 5);

// WaitQuiescent, then CompareReplicas.
::testing::AssertionResult CheckReplicas(Cluster& cluster, uint64_t region_id);

// "0x7368617265642031 (\"shared 1\")": hex, plus the text when it is printable.
std::string DescribeBytes(const std::string& bytes);

}  // namespace raftstore::testing::audit
