#!/usr/bin/env bash
# Builds everything and runs every test: the README's second command, and what CI runs.
#   scripts/test.sh           the normal build (in build/)
#   scripts/test.sh --asan    with AddressSanitizer and UndefinedBehaviorSanitizer (build-asan/)
#   scripts/test.sh --tsan    with ThreadSanitizer (build-tsan/)
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build
cmake_args=()
case "${1:-}" in
  "") ;;
  --asan) build_dir=build-asan; cmake_args+=(-DTRUC_SANITIZER=address) ;;
  --tsan) build_dir=build-tsan; cmake_args+=(-DTRUC_SANITIZER=thread) ;;
  *) echo "usage: $0 [--asan|--tsan]" >&2; exit 2 ;;
esac

scripts/install-deps.sh
scripts/build.sh "$build_dir" "${cmake_args[@]}"
ctest --test-dir "$build_dir" --output-on-failure -j2
