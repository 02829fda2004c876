#pragma once

// The seed loop both hidden raftstore suites share: a scenario runs several seeds, each from
// the suite's base options for that run, adjusted by the scenario; the first failing run
// stops the test and is named with its scenario seed.

#include <gtest/gtest.h>

#include <cstdint>

#include "raftstore/testing/generic_test.h"

namespace hidden {

using BaseOptions = raftstore::testing::GenericTestOptions (*)(uint64_t scenario, int run);
using Configure = void (*)(raftstore::testing::GenericTestOptions&);

inline void RunSeeds(BaseOptions base, uint64_t scenario, int runs, Configure configure) {
  for (int run = 0; run < runs; ++run) {
    raftstore::testing::GenericTestOptions o = base(scenario, run);
    configure(o);
    ASSERT_TRUE(raftstore::testing::RunGenericTest(o))
        << "(run " << run << " of " << runs << ", scenario seed " << o.seed << ")";
  }
}

}  // namespace hidden
