#!/usr/bin/env bash
# Builds everything and runs every test: the README's second command, and what CI runs.
#   scripts/test.sh           the normal build (in build/)
#   scripts/test.sh --asan    every test under AddressSanitizer and UndefinedBehaviorSanitizer,
#                             built with clang (build-asan/), with the fuzz targets run over their
#                             corpora as regression tests (scripts/fuzz.sh fuzzes for longer)
#   scripts/test.sh --tsan    the concurrency tests (CTest label "concurrency") under
#                             ThreadSanitizer (build-tsan/)
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build
cmake_args=()
targets=()
ctest_args=()
case "${1:-}" in
  "") ;;
  --asan)
    build_dir=build-asan
    export CC=clang CXX=clang++
    # -O1 and line tables only: reports with file and line, at half the build time of -O2 -g.
    # Warnings are the normal build's gate (-Werror in CI); clang's own extra ones are not.
    cmake_args+=(-DTRUC_SANITIZER=address -DTRUC_FUZZ=ON -DTRUC_BUILD_BENCH=OFF -DTRUC_WERROR=OFF
                 -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O1 -gline-tables-only")
    # Third-party leaks we cannot fix are listed, with why, in the suppressions file; leak
    # checking itself stays on.
    export LSAN_OPTIONS="suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0"
    export ASAN_OPTIONS="detect_leaks=1"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
    ;;
  --tsan)
    build_dir=build-tsan
    cmake_args+=(-DTRUC_SANITIZER=thread -DTRUC_BUILD_BENCH=OFF -DTRUC_WERROR=OFF
                 -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O1 -g1")
    targets=(truc_base_test truc_net_test truc_merkle_test truc_evidence_test truc_storage_test
             truc_globalconf_test truc_gateway_limits_test truc_gateway_audit_test
             truc_gateway_tree_heads_test truc_audit_crash_writer)
    ctest_args+=(-L concurrency)
    # Races inside uninstrumented third-party libraries are listed, with why, in the
    # suppressions file; everything of ours is checked.
    export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/sanitizers/tsan.supp"
    ;;
  *) echo "usage: $0 [--asan|--tsan]" >&2; exit 2 ;;
esac

scripts/install-deps.sh
TRUC_TARGETS="${targets[*]}" scripts/build.sh "$build_dir" "${cmake_args[@]}"
ctest --test-dir "$build_dir" --output-on-failure -j2 "${ctest_args[@]}"
