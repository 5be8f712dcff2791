#!/usr/bin/env bash
# Installs the .deb into a clean Debian 12 root (debootstrap minbase, nothing else) with
# --no-install-recommends, as a new user would, and runs `stratus --server --demo` there: the
# package's Depends must bring everything it loads at run time (the SQLite driver, the platform
# plugins). The minimal root is built once and cached in $STRATUS_CACHE (~200 MB).
# Needs root (chroot, mount); says so and succeeds without testing when it is not root.
set -euo pipefail
deb="$1"
if [ "$(id -u)" -ne 0 ]; then echo "clean install: SKIPPED (needs root for chroot)"; exit 0; fi
command -v debootstrap >/dev/null || { echo "FAIL: debootstrap missing (scripts/setup.sh installs it)" >&2; exit 1; }
cache="${STRATUS_CACHE:-$HOME/.cache/stratus}"
base="$cache/bookworm-minbase.tar"
mkdir -p "$cache"
if [ ! -s "$base" ]; then
    fresh=$(mktemp -d)
    debootstrap --variant=minbase bookworm "$fresh" http://deb.debian.org/debian >"$cache/debootstrap.log" 2>&1 \
        || { tail -20 "$cache/debootstrap.log"; echo "FAIL: debootstrap" >&2; rm -rf "$fresh"; exit 1; }
    tar -C "$fresh" -cf "$base.part" . && mv "$base.part" "$base"
    rm -rf "$fresh"
fi
root=$(mktemp -d)
pid=""
cleanup() {
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
    if mountpoint -q "$root/proc"; then umount "$root/proc" || umount -l "$root/proc"; fi
    # Never delete through a mount that is still there.
    if mountpoint -q "$root/proc"; then echo "WARNING: $root/proc still mounted; $root left in place" >&2; else rm -rf "$root"; fi
}
trap cleanup EXIT
tar -C "$root" -xf "$base"
if ! mount -t proc proc "$root/proc" 2>/dev/null; then
    echo "clean install: SKIPPED (this machine does not allow mounting /proc in a chroot)"
    exit 0
fi
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
cp "$deb" "$root/tmp/stratus.deb"
chroot "$root" apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y -qq --no-install-recommends /tmp/stratus.deb \
    >"$root/tmp/install.log" 2>&1 || { tail -30 "$root/tmp/install.log"; echo "FAIL: apt-get install of the .deb" >&2; exit 1; }
chroot "$root" /usr/bin/env -i HOME=/tmp PATH=/usr/bin:/bin /usr/bin/stratus --server --demo --port 0 \
    >"$root/tmp/stdout" 2>"$root/tmp/stderr" &
pid=$!
for _ in $(seq 1 150); do
    grep -q "serving http://" "$root/tmp/stdout" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || { cat "$root/tmp/stderr"; echo "FAIL: stratus --server --demo died in the clean root" >&2; exit 1; }
    sleep 0.1
done
url=$(grep -o 'http://[0-9.:]*' "$root/tmp/stdout" | head -1)
[ -n "$url" ] || { cat "$root/tmp/stderr"; echo "FAIL: no serving line in the clean root" >&2; exit 1; }
health=$(curl -fsS "$url/health")
grep -q '"status":"ok"' <<<"$health" || { echo "FAIL: /health in the clean root: $health" >&2; exit 1; }
models=$(curl -fsS "$url/models")
grep -q '"active":"beijing-2013-2015"' <<<"$models" || { echo "FAIL: the shipped model is not active: $models" >&2; exit 1; }
kill -TERM "$pid"
for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
set +e; wait "$pid"; rc=$?; set -e
pid=""
[ "$rc" -eq 0 ] || { cat "$root/tmp/stderr"; echo "FAIL: exit status $rc after SIGTERM in the clean root" >&2; exit 1; }
echo "clean install OK: Debian 12 minbase + $(basename "$deb") --no-install-recommends, served $url/health with the shipped model"
