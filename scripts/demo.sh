#!/usr/bin/env bash
# The main job: builds Trục and runs what exists of the federation demo.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build
exec deploy/demo/run-demo.sh build
