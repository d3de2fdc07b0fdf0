#!/usr/bin/env bash
# Checks formatting (clang-format) and runs clang-tidy over Trục's own sources.
#   scripts/lint.sh          report problems
#   scripts/lint.sh --fix    reformat files in place (clang-tidy findings still need a human)
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t sources < <(git ls-files '*.cc' '*.h')
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${sources[@]}"
  exit 0
fi
clang-format --dry-run -Werror "${sources[@]}"
[ -f build/compile_commands.json ] || scripts/build.sh build
mapfile -t units < <(git ls-files '*.cc')
clang-tidy -p build --quiet "${units[@]}"
