#!/usr/bin/env bash
# The main job: builds Trục and runs the once-only demo (deploy/demo/run-demo.sh), which brings a
# federation up on loopback, runs its scenario and tears it down. Can be run again at once.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build
exec deploy/demo/run-demo.sh build
