#!/usr/bin/env bash
# Walks through what Trục can do today, in plain words. Usage: run-demo.sh BUILD_DIR
set -euo pipefail
build=${1:-build}
truc="$build/cli/truc"

say() { printf '\n== %s\n' "$*"; }

say "Every actor of the federation has an identifier. The national population database:"
"$truc" id parse --kind subsystem "VN/GOV/000100/population"

say "Parts are percent-encoded on their own, so a '/' inside a member code is data, not a separator:"
"$truc" id parse --kind member "VN/COM/0101%2F2025"

say "A malformed identifier is refused with the reason:"
"$truc" id parse --kind service "VN/GOV/000100" || true
