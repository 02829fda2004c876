#!/usr/bin/env bash
# A live cluster on this machine (docs/live.md): N tinykv-server processes on free loopback
# ports, each with its data directory in a scratch directory, managed by store id.
#
#   bash scripts/cluster.sh up [N]      build, start N stores (default 3), wait for a leader
#   bash scripts/cluster.sh status      every store in one table (tinykv-ctl status)
#   bash scripts/cluster.sh kill ID     SIGKILL store ID (a crash: nothing is flushed)
#   bash scripts/cluster.sh stop ID     SIGTERM store ID (a clean shutdown)
#   bash scripts/cluster.sh start ID    start store ID again (it recovers from its engines)
#   bash scripts/cluster.sh ctl ARGS    tinykv-ctl against this cluster (put K V, get K, ...)
#   bash scripts/cluster.sh down        stop every store and remove the scratch directory
#
# TINYKV_CLUSTER_DIR: the scratch directory (default /tmp/tinykv-cluster-$USER).
# TINYKV_SERVER_FLAGS: extra tinykv-server flags for `up`, e.g. "--raft-log-gc-count-limit=100".
# TINYKV_BUILD: the bazel flags of the build (default --config=reference; "" for a student's).
set -euo pipefail
cd "$(dirname "$0")/.."

DIR=${TINYKV_CLUSTER_DIR:-/tmp/tinykv-cluster-${USER:-$(id -un)}}
CONF="$DIR/cluster.conf"

die() { echo "cluster: $*" >&2; exit 1; }

# The pid of a running store, or nothing (a stale pid file whose process is gone, or is some
# other program now, does not count).
pid_of() {
  local f="$DIR/store$1.pid" pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q tinykv-server; then
    echo "$pid"
  fi
}

ids() { awk '!/^#/ && NF == 2 { print $1 }' "$CONF"; }

need_cluster() { [ -f "$CONF" ] || die "no cluster in $DIR (run: bash scripts/cluster.sh up)"; }

start_store() {
  local id=$1
  [ -n "$(pid_of "$id")" ] && { echo "store $id is already running"; return 0; }
  grep -q "^$id " "$CONF" || die "no store $id in $CONF"
  # setsid: the store outlives this script and is not hit by the terminal's Ctrl-C.
  # shellcheck disable=SC2086
  setsid "$DIR/bin/tinykv-server" --store-id="$id" --cluster="@$CONF" --data-dir="$DIR/store$id" \
    $(cat "$DIR/server-flags") >>"$DIR/store$id.log" 2>&1 </dev/null &
  echo $! >"$DIR/store$id.pid"
  echo "store $id started (pid $!, log $DIR/store$id.log)"
}

stop_store() {
  local id=$1 sig=$2 pid
  pid=$(pid_of "$id")
  [ -n "$pid" ] || { echo "store $id is not running"; rm -f "$DIR/store$id.pid"; return 0; }
  kill "-$sig" "$pid" 2>/dev/null || true
  # A clean stop takes a moment (the engines flush); past 20 s it is killed.
  for _ in $(seq 1 200); do
    [ -d "/proc/$pid" ] || break
    sleep 0.1
  done
  if [ -d "/proc/$pid" ]; then
    echo "store $id did not stop within 20 s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$DIR/store$id.pid"
  echo "store $id stopped ($sig)"
}

ctl() { "$DIR/bin/tinykv-ctl" --cluster="@$CONF" "$@"; }

# Removes what this script made in $DIR, and $DIR if that leaves it empty: never more, in
# case TINYKV_CLUSTER_DIR points somewhere that holds other things.
clean() {
  rm -rf "$DIR/bin" "$DIR"/store* "$DIR/server-flags" "$CONF"
  rmdir "$DIR" 2>/dev/null || true
}

# Waits until every running store names the same leader, up to 60 s.
wait_leader() {
  for _ in $(seq 1 120); do
    if ctl status 2>/dev/null | awk 'NR > 1 && $3 == "leader" { found = 1 } END { exit !found }'; then
      return 0
    fi
    sleep 0.5
  done
  return 1
}

cmd=${1:-}
case "$cmd" in
  up)
    n=${2:-3}
    [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "up N: N must be a positive number"
    if [ -f "$CONF" ]; then
      for id in $(ids); do
        [ -z "$(pid_of "$id")" ] || die "a cluster is already running in $DIR (cluster.sh down first)"
      done
      clean
    fi
    bash scripts/setup.sh
    # shellcheck disable=SC2086
    bazel build ${TINYKV_BUILD---config=reference} --ui_event_filters=-info \
      //server:tinykv-server //server:tinykv-ctl
    mkdir -p "$DIR/bin"
    # A copy: a later build (another config) must not change the binaries under a running
    # cluster.
    cp -f bazel-bin/server/tinykv-server bazel-bin/server/tinykv-ctl "$DIR/bin/"
    echo "${TINYKV_SERVER_FLAGS:-}" >"$DIR/server-flags"
    # Free loopback ports, chosen by the kernel.
    python3 - "$n" >"$CONF" <<'PY'
import socket, sys
n = int(sys.argv[1])
socks = []
print("# tinykv live cluster: store-id host:port")
for i in range(1, n + 1):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
    print(i, "127.0.0.1:%d" % s.getsockname()[1])
PY
    for id in $(ids); do start_store "$id"; done
    if wait_leader; then
      ctl status
      echo "cluster up in $DIR; try: bash scripts/cluster.sh ctl put hello world"
    else
      ctl status || true
      die "no leader after 60 s; see the logs in $DIR"
    fi
    ;;
  status)
    need_cluster
    ctl status
    ;;
  kill | stop | start)
    need_cluster
    id=${2:-}
    [ -n "$id" ] || die "$cmd ID: which store?"
    grep -q "^$id " "$CONF" || die "no store $id in $CONF"
    case "$cmd" in
      kill) stop_store "$id" KILL ;;
      stop) stop_store "$id" TERM ;;
      start) start_store "$id" ;;
    esac
    ;;
  ctl)
    need_cluster
    shift
    ctl "$@"
    ;;
  down)
    if [ -f "$CONF" ]; then
      for id in $(ids); do
        [ -z "$(pid_of "$id")" ] || stop_store "$id" TERM
      done
    fi
    clean
    echo "cluster down; its files in $DIR removed"
    ;;
  *)
    sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
    [ -z "$cmd" ] || [ "$cmd" = help ] || [ "$cmd" = --help ] || exit 2
    ;;
esac
