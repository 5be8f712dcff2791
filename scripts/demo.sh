#!/usr/bin/env bash
# Sets everything up, builds, and starts the desktop demo on the bundled recorded NWS stream.
# Without a display it starts the headless server demo instead (http://127.0.0.1:8080/health).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
    exec ./build/app/stratus --demo
fi
echo "demo: no display found; starting the headless server demo on http://127.0.0.1:8080"
exec ./build/app/stratus --server --demo --port 8080
