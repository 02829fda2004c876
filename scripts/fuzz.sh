#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with Debian's clang and runs each of them.
#
#   scripts/fuzz.sh [--seconds N] [--jobs N] [--seeds] [TARGET...]
#
# Each target runs N seconds (default 600) at nice 19 on its corpus in fuzz/corpus/<target>/
# (new inputs are added there; a crash is written to fuzz/findings/<target>/ and stops the
# run with exit status 1). --seeds first rewrites the seed files (bazel run
# //fuzz:make_seeds). Afterwards the corpus is minimised (libFuzzer -merge=1) so that what is
# committed stays small. The builds use -fsanitize=fuzzer,address,undefined and live in
# fuzz/build/ (not committed). See docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=600
jobs=1
seeds=0
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --seeds) seeds=1; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
all=(meta_keys_fuzz meta_values_fuzz snapshot_fuzz snapshot_sst_fuzz raft_message_fuzz raft_cmd_fuzz)
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ not found (Debian package clang; scripts/setup.sh installs it)" >&2; exit 2; }

# The generated protobuf sources come from the normal Bazel build.
bazel build //proto:all >/dev/null 2>&1 ||
  { echo "fuzz.sh: bazel build //proto:... failed" >&2; exit 1; }
gen="$(bazel info bazel-bin 2>/dev/null)/proto"
if [ "$seeds" = 1 ]; then
  bazel run //fuzz:make_seeds -- "$PWD/fuzz/corpus"
fi

out=fuzz/build
mkdir -p "$out"
# -fno-sanitize=vptr: UBSan's vptr check misreads protobuf's copy constructors (Debian's
# libprotobuf is not built with it) and reports every copied Entry.
flags=(-std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined
       -fno-sanitize=vptr -fno-sanitize-recover=undefined -DSPDLOG_SHARED_LIB -DSPDLOG_COMPILED_LIB -DSPDLOG_FMT_EXTERNAL
       -Ireference -I. -I"$(dirname "$gen")")
# A target's sources: every .cc file of the kit that its Bazel library (//fuzz:<target>_lib,
# which its corpus test links) is built from under --config=reference, and the generated .pb.cc
# of every .proto among them. Asked of Bazel rather than listed here, so that a source file
# added to the engine or the raftstore cannot be missed.
sources_of() {
  local labels label path
  case " ${all[*]} " in
    *" $1 "*) ;;
    *) echo "fuzz.sh: unknown target $1 (have: ${all[*]})" >&2; return 1 ;;
  esac
  labels=$(bazel cquery --config=reference "kind('source file', deps(//fuzz:$1_lib))" --output=label 2>/dev/null) ||
    { echo "fuzz.sh: bazel cquery of //fuzz:$1_lib failed" >&2; return 1; }
  while read -r label _; do
    case "$label" in //*) ;; *) continue ;; esac  # external repositories: system libraries
    path=${label#//}
    path=${path#:}
    path=${path/://}
    case "$path" in
      fuzz/$1.cc) ;;  # the target itself comes last, from the caller
      *.cc) echo "$path" ;;
      proto/*.proto) echo "$gen/$(basename "${path%.proto}").pb.cc" ;;
    esac
  done <<<"$labels"
}

# Objects are compiled once per source and reused by every target.
objdir="$out/obj-$(echo "${flags[*]}" | sha1sum | cut -c1-8)"  # new flags, new objects
compile() {
  local src="$1" obj="$objdir/${1//\//_}.o"
  mkdir -p "$objdir"
  if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ]; then
    nice -n 19 clang++ "${flags[@]}" -c "$src" -o "$obj"
  fi
  echo "$obj"
}

# Leaks that are RocksDB's background threads at work, not leaks (see the file).
export LSAN_OPTIONS="suppressions=$PWD/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

status=0
for t in "${targets[@]}"; do
  srcs=$(sources_of "$t") || exit 2
  objs=()
  for s in $srcs fuzz/$t.cc; do objs+=("$(compile "$s")"); done
  nice -n 19 clang++ "${flags[@]}" -fsanitize=fuzzer "${objs[@]}" -lprotobuf -lrocksdb -lspdlog -lfmt -pthread -o "$out/$t"
  corpus=fuzz/corpus/$t
  findings=fuzz/findings/$t
  mkdir -p "$corpus" "$findings" "$out/new-$t"
  echo "fuzz.sh: $t for ${seconds}s (corpus $(ls "$corpus" | wc -l) files)"
  log="$out/$t.log"
  parallel=()
  [ "$jobs" -gt 1 ] && parallel=(-fork="$jobs")
  if ! nice -n 19 "$out/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
       "${parallel[@]}" -print_final_stats=1 -artifact_prefix="$findings/" \
       "$out/new-$t" "$corpus" >"$log" 2>&1; then
    echo "fuzz.sh: $t FOUND A CRASH: see $log and $findings/" >&2
    status=1
  fi
  grep -E "stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb|cov:" "$log" | tail -4 || true
  # Minimise: keep only the inputs that add coverage, in the committed corpus.
  mkdir -p "$out/min-$t"
  rm -f "$out/min-$t"/*
  nice -n 19 "$out/$t" -merge=1 -artifact_prefix="$findings/" "$out/min-$t" "$corpus" "$out/new-$t" >>"$log" 2>&1 || true
  if [ -n "$(ls -A "$out/min-$t")" ]; then
    find "$corpus" -type f ! -name 'seed-*' -delete
    cp "$out/min-$t"/* "$corpus/"
    # The seeds stay under their own names: drop their copies (libFuzzer names by SHA-1).
    for f in "$corpus"/seed-*; do rm -f "$corpus/$(sha1sum <"$f" | cut -d' ' -f1)"; done
  fi
done
exit $status
