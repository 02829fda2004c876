#!/usr/bin/env bash
# //timeline:broken_runs writes its three pages, each with its failure recorded where the
# planted bug showed (the browser test of the page uses them).
set -uo pipefail
bin=$1
out="$TEST_TMPDIR/pages"
mkdir -p "$out"
"$bin" "$out" || { echo "FAIL: broken_runs exited $?"; exit 1; }
check() {  # file, pattern
  grep -q -- "$2" "$out/$1" || { echo "FAIL: $1 lacks: $2"; exit 1; }
}
for name in split-vote stale-read lost-snapshot; do
  [ -s "$out/timeline-$name.html" ] || { echo "FAIL: no timeline-$name.html"; exit 1; }
done
check timeline-split-vote.txt '^fail .* Liveness violated'
check timeline-split-vote.txt 'campaigns in term 6'
check timeline-stale-read.txt '^fail .* not linearizable: key "k"'
check timeline-stale-read.txt 'Get(k, 1) .*served by the isolated old leader.* HIGHLIGHTED'
check timeline-lost-snapshot.txt '^fail .* lanes {3} store 3 never caught up'
check timeline-lost-snapshot.txt 'dropped .*(drop every snapshot message (planted bug))'
check timeline-lost-snapshot.txt 'CompactLog applied'
echo "ok: $(ls "$out" | tr '\n' ' ')"
