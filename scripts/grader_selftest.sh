#!/usr/bin/env bash
# The grader's self-test, end to end (instructor-only: not in the student release).
#  1. its unit tests (bazel test //grader:all; no build of the kit, seconds);
#  2. grades known submissions with real builds and checks every score against
#     grader/selftest/expected.json: the reference (full marks), the stubs (nothing but
#     what the rubric gives for free), the reference with planted bugs (votes twice, ignores
#     higher terms, never commits across terms, crashes, hangs, does not compile);
#  3. cuts the student release and verifies it (builds; public suites fail on the stubs
#     only and pass on the reference).
# Options are passed to grader/selftest/selftest.py (--strict: kit problems such as a
# missing hidden suite fail the run; --show: print every grading's report; --only NAME).
# --no-release skips step 3. The last line is "N passed, N failed" (steps).
set -uo pipefail
KIT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$KIT"
PYTHON="${PYTHON:-/usr/bin/python3}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
export PYTHONPATH="$KIT${PYTHONPATH:+:$PYTHONPATH}"

release=1
args=()
for a in "$@"; do
  if [ "$a" = "--no-release" ]; then release=0; else args+=("$a"); fi
done

passed=0
failed=0
step() {
  local name=$1
  shift
  local t0=$SECONDS
  echo "=== $name"
  if "$@"; then
    passed=$((passed + 1))
    echo "=== $name: ok ($((SECONDS - t0)) s)"
  else
    failed=$((failed + 1))
    echo "=== $name: FAILED ($((SECONDS - t0)) s)"
  fi
}

start=$SECONDS
step "unit tests (bazel test //grader:all)" bazel test //grader:all --test_output=errors
step "graded submissions (grader/selftest/expected.json)" "$PYTHON" grader/selftest/selftest.py "${args[@]}"
if [ "$release" = 1 ]; then
  dest="$HOME/.cache/tinykv-grader/release-check"  # a fixed path: Bazel reuses its output base
  rm -rf "$dest"
  step "student release (scripts/release.sh --verify)" bash scripts/release.sh "$dest" --verify
fi
echo "self-test wall time: $((SECONDS - start)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
