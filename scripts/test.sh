#!/usr/bin/env bash
# Sets everything up, builds, and runs the whole test suite with ctest.
# Extra arguments go to ctest (e.g. -L unit).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
# The Kafka broker's jars (Maven Central, cached); the kafka tests start and stop their own brokers.
bash scripts/kafka.sh fetch
# The headless-build test compiles the pipeline again: with build.sh's cache settings it reuses
# the objects just built instead of compiling them cold (minutes on 2 cores).
source scripts/cache-env.sh
export PATH="$STRATUS_CACHE/venv/bin:$PATH"
export QT_QPA_PLATFORM=offscreen
(cd build && ctest --output-on-failure --timeout 900 "$@")
# The whole suite (no ctest arguments) ends with the unit and API tests under ASan + UBSan.
if [ $# -eq 0 ] && [ "${STRATUS_SKIP_SANITIZE:-0}" != 1 ]; then
    bash scripts/sanitize.sh
fi
