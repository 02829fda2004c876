#pragma once
// A fuzz target's invariant: on failure, says which one and aborts (libFuzzer saves the input
// as a crash; the corpus replay test reports it as a failure).
#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond, what)                                                                \
  do {                                                                                        \
    if (!(cond)) {                                                                            \
      std::fprintf(stderr, "fuzz invariant broken at %s:%d: %s\n", __FILE__, __LINE__, what); \
      std::abort();                                                                           \
    }                                                                                         \
  } while (0)
