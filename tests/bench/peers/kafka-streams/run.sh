#!/usr/bin/env bash
# Builds (once, cached) and runs the Kafka Streams peer of `stratus-bench kafka`.
#   run.sh BOOTSTRAP INPUT_TOPIC OUTPUT_TOPIC READINGS [THREADS] [GUARANTEE]
#   run.sh --fetch      only build it
# Dependencies come from Maven Central into $STRATUS_CACHE/m2 (later runs work with `mvn -o`);
# classes and jars go to $STRATUS_CACHE/peers/kafka-streams. Prints the peer's one JSON line.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
CACHE="${STRATUS_CACHE:-$HOME/.cache/stratus}"
OUT="$CACHE/peers/kafka-streams"
REPO="$CACHE/m2"
if [[ ! -f "$OUT/.complete" || "$HERE/src/main/java/org/stratus/peer/StratusWindows.java" -nt "$OUT/.complete" ]]; then
    command -v mvn >/dev/null || { echo "kafka-streams peer: maven is not installed" >&2; exit 3; }
    mkdir -p "$OUT" && rm -rf "$OUT/libs"
    args=(-B -q -f "$HERE/pom.xml" -Dmaven.repo.local="$REPO" -Dstratus.build="$OUT/target"
          package dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$OUT/libs")
    # Offline first (warm cache), then online.
    if ! mvn -o "${args[@]}" >"$OUT/mvn.log" 2>&1 && ! mvn "${args[@]}" >"$OUT/mvn.log" 2>&1; then
        tail -n 20 "$OUT/mvn.log" >&2
        echo "kafka-streams peer: Maven could not build it (log: $OUT/mvn.log)" >&2
        exit 3
    fi
    touch "$OUT/.complete"
fi
[[ "${1:-}" == "--fetch" ]] && exit 0
exec java -Xmx512m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dorg.slf4j.simpleLogger.logFile=System.err -cp "$OUT/target/classes:$OUT/libs/*" org.stratus.peer.StratusWindows "$1" "$2" "$3" "$4" "${5:-2}" "${6:-exactly_once_v2}"
