#!/usr/bin/env bash
# A failing test that ran a simulated cluster re-runs itself with recording and writes
# timeline.html into its undeclared outputs (testutil/gtest_main.cc), printing where it is;
# the page's failure sits at the step the bug showed. Runs planted_bug_test (a test double
# that fails on purpose) as Bazel would, and checks all of that.
set -uo pipefail
bin=$1
out="$TEST_TMPDIR/outputs"
rm -rf "$out" && mkdir -p "$out"
log="$TEST_TMPDIR/log"
# Not this test's own result files: the planted test's failing XML would replace this test's.
env -u XML_OUTPUT_FILE -u GTEST_OUTPUT -u TEST_PREMATURE_EXIT_FILE -u TEST_SHARD_STATUS_FILE \
  TEST_UNDECLARED_OUTPUTS_DIR="$out" TEST_TARGET=//timeline:planted_bug_test \
  TINYKV_TIMELINE_DUMP=1 "$bin" >"$log" 2>&1
status=$?
fail() {
  echo "FAIL: $*"
  echo "--- the planted test's output:"
  cat "$log"
  exit 1
}
[ $status -ne 0 ] || fail "the planted test passed"
grep -q '^\[ TIMELINE \] timeline.html in bazel-testlogs/timeline/planted_bug_test/test.outputs/outputs.zip — open it in a browser:$' "$log" ||
  fail "no [ TIMELINE ] line with the page's path"
grep -q '^             unzip -o bazel-testlogs/timeline/planted_bug_test/test.outputs/outputs.zip timeline.html -d /tmp/tinykv-timeline && xdg-open /tmp/tinykv-timeline/timeline.html$' "$log" ||
  fail "no command that opens the page"
[ -s "$out/timeline.html" ] || fail "no timeline.html"
[ -s "$out/timeline.txt" ] || fail "no timeline.txt (the recording as text)"
# The failure: Election Safety, on nodes 1 and 2, in the tick the second leader was elected.
fail_line=$(grep '^fail ' "$out/timeline.txt" | head -1)
echo "$fail_line" | grep -q 'lanes {1 2} Election Safety violated' || fail "unexpected failure: $fail_line"
fail_time=$(echo "$fail_line" | cut -d' ' -f2)
leader_time=$(grep 'becomes leader of term' "$out/timeline.txt" | tail -1 | cut -d' ' -f2)
[ -n "$leader_time" ] || fail "no election marks"
[ $((fail_time / 1000)) -eq $((leader_time / 1000)) ] && [ "$fail_time" -gt "$leader_time" ] ||
  fail "the failure ($fail_time) is not right after the second leader's election ($leader_time)"
# The assertion that failed is on the page too.
grep -q '^fail .* timeline/planted_bug_test.cc:[0-9]*: ' "$out/timeline.txt" ||
  fail "the gtest assertion is not recorded"
echo "ok: $fail_line (second leader elected at $leader_time)"
