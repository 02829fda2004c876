"""Compiler options for raftstore and its test support.

The simulated cluster scenarios run hundreds of thousands of tasks; unoptimized (Bazel's
default fastbuild) code runs them about eight times slower. Until the workspace builds with
`-c opt`, raftstore's own targets ask for optimization themselves.
"""

RAFTSTORE_COPTS = ["-O2"]
