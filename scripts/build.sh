#!/usr/bin/env bash
# Configures and builds Trục with Ninja and ccache. Usage: scripts/build.sh [BUILD_DIR] [cmake args]
# Warnings are errors when CI=true.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build}
shift || true
# Let ccache share results between checkouts in different directories (CI clones afresh).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
# Warnings are made errors when CI=true, and then stay so in that build directory: switching the
# flag back and forth would rebuild everything.
werror=()
if [ "${CI:-}" = "true" ]; then werror=(-DTRUC_WERROR=ON); fi
cmake -S . -B "$build_dir" -G Ninja "${werror[@]}" "$@" >/dev/null
# TRUC_TARGETS: build only these targets (space-separated); everything when empty.
read -r -a targets <<< "${TRUC_TARGETS:-}"
cmake --build "$build_dir" ${targets[@]:+--target "${targets[@]}"}
