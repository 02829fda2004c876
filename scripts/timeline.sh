#!/usr/bin/env bash
# Replays one test case with timeline recording on and copies its page out of bazel-testlogs:
#
#   scripts/timeline.sh TARGET CASE [SEED] [bazel options...]
#   scripts/timeline.sh //raftstore/tests:raftstore_2b_test Raftstore2B.ConcurrentPartition 7
#   scripts/timeline.sh //raft/sim:cluster_test SimCluster.ChaoticRunsStaySafe 3 --config=reference
#     (--config=reference: the instructor's kit only; a student release has no reference/)
#
# Writes ./timeline-<CASE>.html and prints its path. The run is the same as the failing one
# (same seed: the simulation replays exactly), so the page shows what went wrong; a passing
# case draws a page too. SEED defaults to the kit's default seed (testutil/seed.h).
set -uo pipefail
if [ $# -lt 2 ]; then
  sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
target=$1
case_name=$2
shift 2
seed_args=()
if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then
  seed_args=(--test_env=TINYKV_SEED="$1")
  shift
fi
here=$(pwd)
cd "$(dirname "$0")/.." || exit 1
root=$(pwd)
for arg in "$@"; do
  if [[ $arg == --config=reference* ]] && [ ! -d reference ]; then
    echo "timeline: $arg needs reference/, which a student release does not have;" \
      "leave it out to draw the run of your own code" >&2
    exit 2
  fi
done

bazel test "$target" "$@" "${seed_args[@]}" \
  --test_env=TINYKV_TIMELINE=1 \
  --test_arg=--gtest_filter="$case_name" \
  --test_sharding_strategy=disabled \
  --cache_test_results=no --test_output=errors
status=$?

# //raft/sim:cluster_test -> bazel-testlogs/raft/sim/cluster_test/test.outputs/
pkg=${target#//}
pkg=${pkg/://}
outputs="$root/bazel-testlogs/$pkg/test.outputs"
# Bazel zips a test's undeclared outputs (outputs.zip); take the page out into a scratch dir,
# never into bazel-testlogs, where a stale copy would outlive the next run.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
page="$tmp/timeline.html"
if [ -f "$outputs/outputs.zip" ]; then
  unzip -o -q "$outputs/outputs.zip" timeline.html -d "$tmp" 2>/dev/null
elif [ -f "$outputs/timeline.html" ]; then
  cp "$outputs/timeline.html" "$page"
fi
if [ ! -f "$page" ]; then
  echo "timeline: no page was written (is $case_name a test that runs a simulated cluster," \
    "and does the filter match exactly one case?). Looked in $outputs" >&2
  exit 1
fi
out="$here/timeline-${case_name//\//_}.html"
cp "$page" "$out" || exit 1
if [ $status -eq 0 ]; then
  echo "the case passed; its timeline (recorded anyway):"
else
  echo "the case failed; its timeline:"
fi
echo "  $out"
echo "  open it in a browser: xdg-open $out"
