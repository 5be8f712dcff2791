#!/usr/bin/env bash
# Configures and builds Stratus into ./build (Release with debug info, Ninja, ccache).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/cache-env.sh
cmake -S . -B build -G Ninja -DCMAKE_CXX_COMPILER_LAUNCHER=ccache "$@" >/dev/null
cmake --build build -j"$(nproc)"
