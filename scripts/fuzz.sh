#!/usr/bin/env bash
# Fuzzes every libFuzzer target (tests/fuzz) for a bounded time, two at a time:
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default: 60 s, every target)
# Uses the clang ASan+UBSan tree that `scripts/test.sh --asan` builds (build-asan/). Each run
# starts from the committed corpus and regressions plus fresh seeds signed with the run's own
# throwaway keys, in a scratch directory: the repository is not touched. A crash, leak or broken
# invariant fails the script; its input is saved under tests/fuzz/regressions/TARGET/ (and
# printed in base64, for a CI log) to be committed with the fix, so that the corpus test keeps it
# fixed.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
build_dir=build-asan
if [ ! -d "$build_dir/tests/fuzz" ]; then
  echo "no fuzz targets in $build_dir: run scripts/test.sh --asan first" >&2
  exit 2
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for binary in "$build_dir"/tests/fuzz/*_fuzz; do targets+=("$(basename "$binary" _fuzz)"); done
fi

export LSAN_OPTIONS="suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

fuzz_one() {
  local name=$1 seconds=$2 build_dir=$3 scratch=$4
  local work="$scratch/$name"
  mkdir -p "$work/corpus" "$work/artifacts"
  for source in tests/fuzz/corpus/"$name" tests/fuzz/regressions/"$name"; do
    if [ -d "$source" ]; then cp -r "$source"/. "$work/corpus/"; fi
  done
  if TRUC_FUZZ_FRESH_SEEDS="$work/corpus" "$build_dir/tests/fuzz/${name}_fuzz" \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus" \
      > "$work/log" 2>&1; then
    echo "fuzz $name: $(grep -m1 -o 'stat::number_of_executed_units: [0-9]*' "$work/log" \
      | grep -o '[0-9]*$') runs in ${seconds} s, no crash"
    return 0
  fi
  echo "fuzz $name: FAILED" >&2
  tail -n 60 "$work/log" >&2
  mkdir -p tests/fuzz/regressions/"$name"
  for artifact in "$work"/artifacts/*; do
    [ -f "$artifact" ] || continue
    cp "$artifact" tests/fuzz/regressions/"$name"/
    echo "input kept as tests/fuzz/regressions/$name/$(basename "$artifact"); base64:" >&2
    base64 -w 0 "$artifact" >&2
    echo >&2
  done
  return 1
}
export -f fuzz_one

printf '%s\n' "${targets[@]}" |
  xargs -P 2 -I{} bash -c 'fuzz_one "$@"' _ {} "$seconds" "$build_dir" "$scratch"
