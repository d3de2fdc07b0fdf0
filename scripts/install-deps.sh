#!/usr/bin/env bash
# Installs the Debian 12 packages Trục builds and runs with. Quick and harmless when they are
# already there: apt is only called for what is missing. Uses sudo when not root.
#
#   scripts/install-deps.sh          what the build, the tests and the demo need
#   scripts/install-deps.sh --bench  that, and the benchmark suite's tools (bench/run.sh)
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git ca-certificates curl openssl python3
  libboost1.81-dev libssl-dev libprotobuf-dev protobuf-compiler libgrpc++-dev
  protobuf-compiler-grpc librocksdb-dev catch2 libcli11-dev libfmt-dev nlohmann-json3-dev
  libtomlplusplus-dev libjemalloc-dev libnghttp2-dev clang-format clang-tidy
  # Keys in hardware security modules: the PKCS#11 header, and SoftHSM2 for the tests.
  libp11-kit-dev softhsm2
  # The sanitizer and fuzzing builds (scripts/test.sh --asan): clang, its runtimes, the symbolizer.
  clang libclang-rt-14-dev llvm
  # The packaging tests: cpack's DEB generator (dpkg-shlibdeps, file) and systemd-analyze.
  dpkg-dev file systemd
)
if [ "${1:-}" = "--bench" ]; then
  # The benchmark suite: the reference nginx chain and backend, and the HTTP load generator.
  packages+=(nginx-light wrk linux-perf)
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "Installing: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
