#!/usr/bin/env bash
# Builds the .deb and .tar.gz, unpacks the .deb into a scratch root, checks its contents, starts the
# installed server the way its systemd unit does, checks /health, and stops it with the unit's
# KillSignal within its TimeoutStopSec: it must exit 0.
set -euo pipefail
build="$1"
cd "$build"
cpack -G "DEB;TGZ" >cpack.log 2>&1 || { cat cpack.log; exit 1; }
deb=$(ls -t "$build"/stratus_*_amd64.deb | head -1)
test -f "$build"/stratus_*_amd64.tar.gz
root=$(mktemp -d)
trap 'rm -rf "$root"; [ -n "${pid:-}" ] && kill -9 "$pid" 2>/dev/null || true' EXIT
dpkg-deb -x "$deb" "$root"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
grep -q libqt6core6 <<<"$depends" || { echo "FAIL: no Qt dependency computed" >&2; exit 1; }
# The plugins Qt loads at run time are not seen by shlibdeps: without them the store cannot open.
for plugin in libqt6sql6-sqlite libqt6positioning6-plugins qt6-qpa-plugins; do
    grep -q "$plugin" <<<"$depends" || { echo "FAIL: Depends lacks $plugin" >&2; exit 1; }
done
# Maintainer scripts: daemon-reload on install and removal, stop the services before removal.
control=$(dpkg-deb -I "$deb")
for script in postinst prerm postrm; do
    grep -q " $script" <<<"$control" || { echo "FAIL: no $script maintainer script" >&2; exit 1; }
done
grep -q "systemctl stop stratus-server.service" <<<"$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./prerm)" \
    || { echo "FAIL: prerm does not stop the services" >&2; exit 1; }
for f in usr/bin/stratus usr/share/applications/stratus.desktop usr/share/icons/hicolor/scalable/apps/stratus.svg \
         usr/share/stratus/maps/states-10m.json usr/share/stratus/demo/nws_recorded.jsonl etc/stratus/stratus.conf \
         lib/systemd/system/stratus-server.service lib/systemd/system/stratus-worker@.service usr/share/man/man1/stratus.1 \
         usr/share/stratus/prometheus/prometheus.yml usr/share/stratus/prometheus/stratus-rules.yml \
         usr/share/stratus/prometheus/alertmanager.yml usr/share/stratus/grafana/stratus-dashboard.json \
         usr/share/doc/stratus/copyright; do
    test -e "$root/$f" || { echo "FAIL: $f missing from the package" >&2; exit 1; }
done
grep -q /etc/stratus/stratus.conf <<<"$(dpkg-deb -I "$deb" conffiles)" || { echo "FAIL: config not a conffile" >&2; exit 1; }

# The man page has the sections an operator looks for.
for section in OPTIONS "EXIT STATUS" ENVIRONMENT FILES; do
    grep -q "^\.SH $section" "$root/usr/share/man/man1/stratus.1" || { echo "FAIL: man page lacks $section" >&2; exit 1; }
done
grep -q "CC-BY-4.0" "$root/usr/share/doc/stratus/copyright" || { echo "FAIL: copyright lacks the data licences" >&2; exit 1; }

# The units parse (systemd's own checker, when this machine has it) and are hardened.
for u in stratus-server.service stratus-worker@.service; do
    for setting in "CapabilityBoundingSet=" "SystemCallFilter=@system-service" "RestrictAddressFamilies=" \
                   "EnvironmentFile=-/etc/default/stratus"; do
        grep -q "^$setting" "$root/lib/systemd/system/$u" || { echo "FAIL: $u lacks $setting" >&2; exit 1; }
    done
done
if command -v systemd-analyze >/dev/null; then
    units=$(mktemp -d)
    for u in stratus-server.service stratus-worker@.service; do
        sed "s#/usr/bin/stratus#$root/usr/bin/stratus#; s#/etc/stratus/#$root/etc/stratus/#" \
            "$root/lib/systemd/system/$u" >"$units/$u"
    done
    cp "$units/stratus-worker@.service" "$units/stratus-worker@1.service"
    # Only the Documentation= man lookup may fail here (the page is not installed on this machine).
    problems=$(systemd-analyze verify "$units/stratus-server.service" "$units/stratus-worker@1.service" 2>&1 \
               | grep -v "Command 'man stratus(1)'" || true)
    rm -rf "$units"
    [ -z "$problems" ] || { echo "FAIL: systemd-analyze verify: $problems" >&2; exit 1; }
fi

unit="$root/lib/systemd/system/stratus-server.service"
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
kill_signal=$(sed -n 's/^KillSignal=SIG//p' "$unit")
timeout_stop=$(sed -n 's/^TimeoutStopSec=//p' "$unit")
cmd=${exec_start//\/usr\/bin\/stratus/$root/usr/bin/stratus}
cmd=${cmd//\/etc\/stratus/$root/etc/stratus}
# The unit's environment, redirected into the scratch root; port 0 so the test never collides.
export STRATUS_SERVER_PORT=0 STRATUS_STORE_PATH="$root/var-lib-stratus-history.db"
$cmd >"$root/stdout" 2>"$root/stderr" &
pid=$!
for _ in $(seq 1 100); do
    grep -q "serving http://" "$root/stdout" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || { cat "$root/stderr"; echo "FAIL: server died at start" >&2; exit 1; }
    sleep 0.1
done
url=$(grep -o 'http://[0-9.:]*' "$root/stdout" | head -1)
[ -n "$url" ] || { cat "$root/stderr"; echo "FAIL: server did not announce its port" >&2; exit 1; }
grep -q "bundled demo data" "$root/stderr" || { echo "FAIL: first run does not say it runs on demo data" >&2; exit 1; }
health=$(curl -fsS "$url/health")
grep -q '"status":"ok"' <<<"$health" || { echo "FAIL: /health: $health" >&2; exit 1; }
kill -s "$kill_signal" "$pid"
for _ in $(seq 1 $((timeout_stop * 10))); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then echo "FAIL: still running ${timeout_stop}s after SIG$kill_signal" >&2; exit 1; fi
set +e; wait "$pid"; rc=$?; set -e
pid=""
[ "$rc" -eq 0 ] || { cat "$root/stderr"; echo "FAIL: exit status $rc after SIG$kill_signal (expected a clean 0)" >&2; exit 1; }
echo "package OK: $(basename "$deb"), served $url/health, stopped cleanly by SIG$kill_signal"
bash "$(dirname "$0")/check_clean_install.sh" "$deb"
