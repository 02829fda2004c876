#!/usr/bin/env bash
# Sets up the machine, then runs every test of the kit on the reference implementation (on
# the student's own code in a release, which has no reference/) and checks that the student
# build still compiles. Ends with "N passed, N failed",
# counting test cases (gtest) across all test targets.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1

if [ -d reference ]; then
  bazel test --config=reference //... "$@"
else
  # A student release has no reference: run the suites on the student's own code.
  echo "test: no reference/ here (a student release): testing your own code"
  bazel test //... "$@"
fi
bazel_status=$?

# The student tree must always build, so a student starts from code that compiles.
bazel build //... >/tmp/tinykv-student-build.log 2>&1
student_build=$?

# What a student's editor sees: clangd on every student file, with the compile_commands.json
# that scripts/compdb.sh writes (a check outside Bazel: it runs Bazel itself).
editor_xml=/tmp/tinykv-clangd-check.xml
rm -f "$editor_xml"
bash scripts/clangd_check.sh --junit "$editor_xml"

# Sanitizers: ASan+UBSan over the suites that fit CI's time, TSan over the real-time runtime
# (scripts/sanitize.sh --ci, in its own output base; docs/instructor.md). The reference only.
sanitizer_args=()
if [ -d reference ]; then
  export TINYKV_SANITIZER_OUTPUT_BASE="${TINYKV_SANITIZER_OUTPUT_BASE:-$HOME/.cache/tinykv-sanitizers}"
  bash scripts/sanitize.sh --ci >/tmp/tinykv-sanitizers.log 2>&1
  sanitizer_status=$?
  if [ "$sanitizer_status" != 0 ]; then tail -n 100 /tmp/tinykv-sanitizers.log; fi
  grep '^sanitize:' /tmp/tinykv-sanitizers.log
  sanitizer_args=(--sanitizer-status "$sanitizer_status"
    --sanitizer-testlogs "$TINYKV_SANITIZER_OUTPUT_BASE/execroot/tinykv/bazel-out/k8-fastbuild/testlogs")
fi

python3 scripts/count_results.py --student-build-status "$student_build" --bazel-status "$bazel_status" \
  --extra-xml "$editor_xml" "${sanitizer_args[@]}"
