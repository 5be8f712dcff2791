#!/usr/bin/env bash
# Configures and builds Stratus into ./build (Release with debug info, Ninja, ccache).
set -euo pipefail
cd "$(dirname "$0")/.."
export STRATUS_CACHE="${STRATUS_CACHE:-$HOME/.cache/stratus}"
export CCACHE_DIR="${CCACHE_DIR:-$STRATUS_CACHE/ccache}"
# Lets the main and the headless build dirs share cache entries.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"
# Debug info names the build directory; without this a clone in another folder would miss every entry.
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
mkdir -p "$CCACHE_DIR"
cmake -S . -B build -G Ninja -DCMAKE_CXX_COMPILER_LAUNCHER=ccache "$@" >/dev/null
cmake --build build -j"$(nproc)"
