#!/bin/bash
# The kit's Raft against etcd's raft (v3.4, Debian's golang-etcd-server-dev) on the six workloads
# of the etcd anchor (../shared/anchors/etcd-raft-bench/RESULTS.md): for each workload, RUNS runs
# of each program, alternating (etcd, kit, etcd, kit, ...), each run a fresh process; then, per
# workload, both medians of proposals/s, their ratio (kit / etcd) and the counters to compare.
#
#   scripts/bench_vs_etcd.sh [--runs=3] [--n=200000] [--student] [--only=NAME] [--kit-binary=PATH]
#
# --student measures the student's Raft (raft/*.cc) instead of the reference. --kit-binary runs
# an etcd_workloads binary built earlier (bazel build -c opt [--config=reference]
# //bench:etcd_workloads) instead of building one, e.g. while another Bazel command runs. Go and etcd's
# sources are installed from Debian if missing (apt-get, as root; no network otherwise). The
# anchor folder is $ETCD_BENCH_DIR, by default ../shared/anchors/etcd-raft-bench beside the kit.
# Raw lines go to $BENCH_BUILD/last-vs.txt (default ${TMPDIR:-/tmp}/bench-vs-etcd).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
ANCHOR="${ETCD_BENCH_DIR:-$ROOT/../shared/anchors/etcd-raft-bench}"
B="${BENCH_BUILD:-${TMPDIR:-/tmp}/bench-vs-etcd}"
RUNS=3
N=200000
CONFIG=(--config=reference)
ONLY=""
KIT_BINARY=""
for arg in "$@"; do
  case "$arg" in
    --runs=*) RUNS="${arg#*=}" ;;
    --n=*) N="${arg#*=}" ;;
    --student) CONFIG=() ;;
    --only=*) ONLY="${arg#*=}" ;;
    --kit-binary=*) KIT_BINARY="${arg#*=}" ;;
    *)
      echo "usage: $0 [--runs=3] [--n=200000] [--student] [--only=NAME] [--kit-binary=PATH]" >&2
      exit 2
      ;;
  esac
done
if ! [[ "$RUNS" =~ ^[1-9][0-9]*$ && "$N" =~ ^[1-9][0-9]*$ ]]; then
  echo "$0: --runs and --n must be positive integers" >&2
  exit 2
fi
if [ ! -f "$ANCHOR/bench.go" ]; then
  echo "$0: no etcd anchor at $ANCHOR (set ETCD_BENCH_DIR to the folder holding bench.go)" >&2
  exit 2
fi

# etcd's side: built exactly as the anchor's run.sh builds it (GOPATH mode, offline).
GOPATH_DEB=/usr/share/gocode
SRC=$GOPATH_DEB/src
need=()
command -v go >/dev/null || need+=(golang-go)
[ -d $SRC/go.etcd.io/etcd/raft ] || need+=(golang-etcd-server-dev)
[ -d $SRC/github.com/gogo/protobuf/proto ] || need+=(golang-github-gogo-protobuf-dev)
[ -d $SRC/github.com/golang/protobuf/proto ] || need+=(golang-github-golang-protobuf-1-3-dev)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}" >&2
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null
fi
mkdir -p "$B"
GO111MODULE=off GOPATH=$GOPATH_DEB GOPROXY=off GOFLAGS="" go build -o "$B/etcd-bench" "$ANCHOR/bench.go"

# The kit's side, optimized like a release build.
if [ -n "$KIT_BINARY" ]; then
  [ -x "$KIT_BINARY" ] || { echo "$0: --kit-binary: $KIT_BINARY is not an executable" >&2; exit 2; }
  cp -f "$KIT_BINARY" "$B/kit-bench"
  CONFIG=("prebuilt $KIT_BINARY")
else
  (cd "$ROOT" && bazel build -c opt "${CONFIG[@]}" //bench:etcd_workloads >&2)
  cp -f "$ROOT/bazel-bin/bench/etcd_workloads" "$B/kit-bench"
fi

echo "# $(go version) | etcd raft: golang-etcd-server-dev $(dpkg-query -W -f='${Version}' golang-etcd-server-dev)"
echo "# kit: $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo +dirty)" \
  "${CONFIG[*]:-student Raft} | nproc $(nproc) | load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" \
  "| RUNS=$RUNS N=$N"

# name, then the flags (etcd's spelling; the kit's binary takes --flag=value).
workloads=(
  "raw-64B        -size 64"
  "raw-1KiB       -size 1024"
  "compact+lag    -size 64 -compact 10000 -tail 1000 -lag"
  "compact-only   -size 64 -compact 10000 -tail 1000"
  "raw-64B+wire   -size 64 -wire"
  "raw-1KiB+wire  -size 1024 -wire"
)
kit_flags() { # "-size 64 -lag" -> "--size=64 --lag"
  local out=() a
  set -- "$@"
  while [ $# -gt 0 ]; do
    a="${1#-}"
    if [ $# -gt 1 ] && [[ "$2" != -* ]]; then
      out+=("--$a=$2")
      shift 2
    else
      out+=("--$a")
      shift
    fi
  done
  echo "${out[@]}"
}

: >"$B/last-vs.txt"
for w in "${workloads[@]}"; do
  read -r name args <<<"$w"
  [ -z "$ONLY" ] || [ "$ONLY" = "$name" ] || continue
  # The flags are words on purpose (one string per workload above).
  # shellcheck disable=SC2086,SC2046
  for _ in $(seq "$RUNS"); do
    "$B/etcd-bench" -name "$name" -n "$N" -window 1000 -tick 10 $args | sed 's/^/impl=etcd /' |
      tee -a "$B/last-vs.txt"
    "$B/kit-bench" --name="$name" --n="$N" --window=1000 --tick=10 $(kit_flags $args) |
      sed 's/^/impl=kit /' | tee -a "$B/last-vs.txt"
  done
done

echo
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
awk '
function median(key,   n, i, j, t, a) {
  n = split(vals[key], a, " ")
  for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
  return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
}
{
  delete f
  for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
  name = f["name"]; if (!(name in seen)) { seen[name] = 1; order[++k] = name }
  split("ops_per_sec cpu_user_s cpu_sys_s maxrss_mb msgs rounds snaps_sent behind catchup_rounds", keys, " ")
  for (i in keys) { key = f["impl"] SUBSEP name SUBSEP keys[i]; vals[key] = vals[key] (vals[key] == "" ? "" : " ") f[keys[i]] }
}
END {
  print "medians over the runs; ratio = kit / etcd proposals/s"
  print "| workload | etcd proposals/s | kit proposals/s | ratio | CPU user+sys s etcd / kit | max RSS MB etcd / kit | msgs etcd / kit | rounds etcd / kit | snapshots sent etcd / kit | catch-up rounds etcd / kit |"
  print "|---|---|---|---|---|---|---|---|---|---|"
  for (i = 1; i <= k; i++) { n = order[i]
    e = median("etcd" SUBSEP n SUBSEP "ops_per_sec"); c = median("kit" SUBSEP n SUBSEP "ops_per_sec")
    printf "| %s | %.0f | %.0f | %.2f | %.2f / %.2f | %s / %s | %s / %s | %s / %s | %s / %s | %s / %s |\n", n, e, c, (e > 0 ? c / e : 0),
      median("etcd" SUBSEP n SUBSEP "cpu_user_s") + median("etcd" SUBSEP n SUBSEP "cpu_sys_s"),
      median("kit" SUBSEP n SUBSEP "cpu_user_s") + median("kit" SUBSEP n SUBSEP "cpu_sys_s"),
      median("etcd" SUBSEP n SUBSEP "maxrss_mb"), median("kit" SUBSEP n SUBSEP "maxrss_mb"),
      median("etcd" SUBSEP n SUBSEP "msgs"), median("kit" SUBSEP n SUBSEP "msgs"),
      median("etcd" SUBSEP n SUBSEP "rounds"), median("kit" SUBSEP n SUBSEP "rounds"),
      median("etcd" SUBSEP n SUBSEP "snaps_sent"), median("kit" SUBSEP n SUBSEP "snaps_sent"),
      median("etcd" SUBSEP n SUBSEP "catchup_rounds"), median("kit" SUBSEP n SUBSEP "catchup_rounds")
  }
}' "$B/last-vs.txt"
