#pragma once
// The scenario of Raftstore2C.CompactOldTermAfterLeaderChange (docs/lab2c.md), shared by the
// public suite and the hidden one (more seeds, 3 and 5 stores, a GC limit drawn per run).
#include <gtest/gtest.h>

#include <cstdint>

#include "raftstore/testing/cluster.h"

namespace raftstore::testing {

// Compaction after a leader change: the entry a new leader compacts first was written in an
// older term than the one the leader, and every store applying its CompactLog, is in. The
// truncated state must record the term that entry had (Raft answers Term(truncated index) with
// it, for MsgAppend's consistency check and for snapshots); the persisted state audit compares
// it with the term recorded when the entry was committed. Then a follower is stopped while the
// log is compacted far past it: it must catch up with exactly one snapshot.
//
// `gc_limit` is the cluster's raft_log_gc_count_limit. With `exact_old_term` the compacted
// entry must be of the old leader's very term; without, of any term before the new leader's.
::testing::AssertionResult CompactOldTermThenLag(Cluster& cluster, uint64_t gc_limit,
                                                 bool exact_old_term);

}  // namespace raftstore::testing
