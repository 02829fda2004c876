#!/usr/bin/env bash
# Installs what the kit needs on Debian 12, once. Safe to run again: one line when there is
# nothing to do. Every other script in scripts/ runs it first.
set -euo pipefail

PACKAGES=(
  bazel-bootstrap
  g++
  libgtest-dev libgmock-dev libbenchmark-dev
  libprotobuf-dev protobuf-compiler
  libspdlog-dev libfmt-dev
  librocksdb-dev
  # The live cluster (server/): gRPC and its protoc plugin.
  libgrpc++-dev protobuf-compiler-grpc
  libtcmalloc-minimal4
  clang-format
  # The editor check (scripts/clangd_check.sh): clangd on every student file.
  clangd
  # The grader runs each graded test binary in a bubblewrap sandbox (docs/instructor.md);
  # scripts/fuzz.sh builds the fuzz targets with clang (docs/fuzzing.md).
  bubblewrap clang
  python3
  # The timeline pages (docs/debugging.md) are tested in a real browser, headless.
  chromium fonts-dejavu-core
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo "$@"
  else
    echo "setup: need root to run: $*" >&2
    echo "setup: run this script as root or with sudo, or ask an administrator to install:" >&2
    echo "       ${missing[*]:-(bazel-4.2.3 link)}" >&2
    exit 1
  fi
}

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! as_root apt-get update -qq; then
    echo "setup: apt-get update failed: is Debian's package archive reachable?" >&2
    exit 1
  fi
  if ! as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/tinykv-apt.log 2>&1; then
    echo "setup: apt-get install failed; the last lines of /tmp/tinykv-apt.log:" >&2
    tail -n 20 /tmp/tinykv-apt.log >&2
    exit 1
  fi
fi

# Debian's /usr/bin/bazel is a launcher that runs /usr/bin/bazel-<version from .bazelversion>;
# the package installs the binary as bazel-4, so name it the way the launcher looks for it.
version=$(cat "$(dirname "$0")/../.bazelversion")
if [ ! -e "/usr/bin/bazel-$version" ]; then
  as_root ln -s bazel-4 "/usr/bin/bazel-$version"
fi
# One line when all is in place: a silent run left a new student unsure whether it had worked.
echo "setup: ready (the Debian packages of scripts/setup.sh are installed; bazel $version)"
