#!/usr/bin/env bash
# The live cluster's figures (bench/README.md, "Live cluster"): tinykv-ctl bench against 3
# local tinykv-server processes, for 1, 8 and 64 clients, with the WAL not synced and synced.
# Prints one line per run with ops/s, p50/p99, and the CPU time the servers and the client
# spent per operation (user + system, from /proc), which says where the time goes on a
# machine whose wall-clock figures depend on its load.
#   bash bench/live_bench.sh [SECONDS]     (default 10 s per run)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-10}
export TINYKV_CLUSTER_DIR=${TINYKV_CLUSTER_DIR:-/tmp/tinykv-live-bench-$$}
trap 'bash scripts/cluster.sh down >/dev/null 2>&1 || true' EXIT
TICKS=$(getconf CLK_TCK)

server_cpu() {  # user+sys seconds of every running store
  local total=0 pid f
  for f in "$TINYKV_CLUSTER_DIR"/store*.pid; do
    pid=$(cat "$f")
    [ -r "/proc/$pid/stat" ] || continue
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat")))
  done
  echo "$total"
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for sync in "" "--sync-wal"; do
  TINYKV_SERVER_FLAGS="$sync" bash scripts/cluster.sh up 3 >/dev/null
  for clients in 1 8 64; do
    before=$(server_cpu)
    out=$(bash scripts/cluster.sh ctl bench --clients "$clients" --seconds "$SECONDS_PER_RUN")
    after=$(server_cpu)
    ops=$(echo "$out" | awk '/^ops/ { print $2 }')
    echo "$out" | awk -v c="$clients" -v s="${sync:-no sync}" -v sv="$(( after - before ))" \
      -v t="$TICKS" -v ops="$ops" '/^ops/ {
        printf "WAL %-10s clients %3d  ops/s %6s  p50 %s ms  p99 %s ms  max %s ms  errors %s  " \
               "server cpu %.0f us/op  client cpu %.0f us/op\n", s, c, $4, $6, $9, $12, $15,
               sv / t / ops * 1e6, $18 / ops * 1e6 }'
  done
  bash scripts/cluster.sh down >/dev/null
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
