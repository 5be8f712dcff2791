#!/usr/bin/env bash
# Installs everything Stratus needs to build, run and test on Debian 12 (as root, or via sudo).
# Idempotent: installs only what is missing. Downloads are cached in ${STRATUS_CACHE:-~/.cache/stratus}.
set -euo pipefail

PACKAGES=(
    cmake ninja-build g++ ccache pkg-config
    qt6-base-dev qt6-charts-dev qt6-positioning-dev qt6-httpserver-dev qt6-websockets-dev
    libqt6sql6-sqlite libqt6positioning6-plugins qt6-qpa-plugins
    librdkafka-dev libeigen3-dev libsqlite3-dev
    xvfb xauth fonts-dejavu-core
    kcat wrk openjdk-17-jre-headless maven
    prometheus prometheus-alertmanager   # the monitoring tests run their own instances on free loopback ports
    python3 python3-venv dpkg-dev file curl debootstrap   # debootstrap: the package test installs the .deb into a clean Debian root
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Java and Maven may come from elsewhere (e.g. a preinstalled JDK); only check that they run.
command -v java >/dev/null || { echo "setup: java not found" >&2; exit 1; }
command -v mvn >/dev/null || { echo "setup: mvn not found" >&2; exit 1; }
echo "setup: system packages ready"

# Python tools for the tests (schemathesis for the OpenAPI contract, Flask for the REST benchmark's
# reference app), in a virtual environment cached outside the clone.
CACHE="${STRATUS_CACHE:-$HOME/.cache/stratus}"
VENV="$CACHE/venv"
if [ ! -x "$VENV/bin/schemathesis" ] || [ ! -x "$VENV/bin/flask" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check schemathesis flask
fi
echo "setup: python tools ready in $VENV"
