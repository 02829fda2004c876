#!/usr/bin/env bash
# Sanitizer passes over the reference (docs/instructor.md, "Sanitizers"):
#   scripts/sanitize.sh --ci     ASan+UBSan over the suites that fit CI's time, TSan over the
#                                real-time runtime (scripts/test.sh runs this)
#   scripts/sanitize.sh --full   ASan+UBSan over every test of the kit, TSan over everything
#                                that runs on real threads (long: run it at nice 19)
# Extra arguments go to `bazel test`. Builds live in their own output base (sanitizer flags
# would otherwise overwrite the plain reference build's outputs and test logs) and make no
# bazel-* links. Exit status: 0 when every sanitized test passed.
set -uo pipefail
cd "$(dirname "$0")/.."

mode=${1:-}
case "$mode" in
  --ci | --full) shift ;;
  *)
    echo "usage: scripts/sanitize.sh --ci|--full [bazel test flags]" >&2
    exit 2
    ;;
esac

OUTPUT_BASE="${TINYKV_SANITIZER_OUTPUT_BASE:-$HOME/.cache/tinykv-sanitizers}"
bz() { bazel --output_base="$OUTPUT_BASE" "$@"; }

# What runs on real threads: the real-time runtime's own test (the simulated clusters are
# single-threaded by design, so TSan has nothing to find there). Not the live cluster
# (//server:live_cluster_test, under ASan+UBSan in --full): Debian's gRPC and Abseil are not
# built with TSan, so every hand-off between gRPC's threads looks like a race (137 reports in
# one run, all in gRPC, Abseil or gRPC's inline headers), and the suppressions that would
# silence them match every kit callback gRPC calls too (docs/instructor.md, "Sanitizers").
TSAN_TARGETS=(//raftstore/runtime:real_runtime_test)

if [ "$mode" = --ci ]; then
  # The Raft suites and the Raft simulator, the 2C cluster and crash scenarios (snapshots,
  # log GC, RocksDB through every engine path), the snapshot and meta-key decoders.
  ASAN_TARGETS=(//raft/tests:all //raft/sim:cluster_test //raftstore/tests:raftstore_2c_test
    //raftstore/tests:crash_2c_test //raftstore/snap:snap_test //raftstore/meta:keys_test)
else
  # Every package of the kit (not //...: the bazel-* links of another output base would be
  # walked as packages).
  mapfile -t ASAN_TARGETS < <(find . -name BUILD -not -path './bazel-*' -not -path './third_party/*' \
    -not -path './.git/*' | sed 's#^\./##; s#/\?BUILD$##' | sort | sed 's#^#//#; s#$#:all#')
fi

# Sanitized code runs 2-5x slower: the time limits are those of a large test.
FLAGS=(--config=reference --keep_going --symlink_prefix=/ --test_timeout=600,1800,3600,7200 --test_output=errors)

# Only this pass's results in its test logs (scripts/count_results.py counts them).
rm -rf "$OUTPUT_BASE/execroot/tinykv/bazel-out/k8-fastbuild/testlogs"

start=$SECONDS
status=0
echo "sanitize: ASan+UBSan over ${#ASAN_TARGETS[@]} target pattern(s)"
bz test "${FLAGS[@]}" --config=asan --config=ubsan "$@" -- "${ASAN_TARGETS[@]}" || status=1
echo "sanitize: ASan+UBSan: $((SECONDS - start)) s wall"
t0=$SECONDS
echo "sanitize: TSan over ${TSAN_TARGETS[*]}"
bz test "${FLAGS[@]}" --config=tsan "$@" -- "${TSAN_TARGETS[@]}" || status=1
echo "sanitize: TSan: $((SECONDS - t0)) s wall"
echo "sanitize: $([ $status = 0 ] && echo passed || echo FAILED) in $((SECONDS - start)) s wall"
exit $status
