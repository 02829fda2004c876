#pragma once

// Checks that a history of client operations (history.h) is linearizable for a key-value
// store: every key behaves like a register (Put sets it, Delete clears it, Get reads it) and
// each operation appears to take effect at one instant between its invoke and its response.
//
// Every (column family, key) pair is a register of its own. Operations whose Raft log index
// is known (Operation::log_index) must moreover take effect in log order: the store promised
// that order by applying its log in it.
//
// Linearizability is compositional, so each key is checked on its own. Per key, the search
// is the one of Wing & Gong as refined by Lowe (and used by Porcupine): walk the operations
// in real-time order, tentatively linearize any operation that has been invoked and whose
// effect is consistent with the register's state, backtrack when an operation's response is
// reached without it having been linearized, and remember every (set of linearized
// operations, register state) pair already explored so that no configuration is searched
// twice. Pending operations (outcome unknown) may take effect at any time after their invoke
// or not at all; the search places them last, which is always allowed.

#include <cstdint>
#include <string>
#include <vector>

#include "raftstore/testing/history.h"

namespace raftstore::testing {

struct CheckOptions {
  // Search steps allowed per key before the checker gives up (reported, never a hang).
  uint64_t max_steps_per_key = 50'000'000;
  // How many operations a failure message lists at most.
  size_t max_ops_listed = 30;
};

struct LinearizabilityResult {
  bool ok = true;
  // The step budget ran out before a verdict (ok is false then too).
  bool gave_up = false;
  // The first key found not to be linearizable, and its column family.
  std::string cf;
  std::string key;
  // What went wrong, in words a student can act on: the longest consistent order found, the
  // operation that could not take effect after it, and the key's whole history.
  std::string explanation;
  // Operations checked, keys checked, search steps taken (for the stress figures).
  uint64_t operations = 0;
  uint64_t keys = 0;
  uint64_t steps = 0;
};

LinearizabilityResult CheckLinearizable(const std::vector<Operation>& ops,
                                        const CheckOptions& options = {});

}  // namespace raftstore::testing
