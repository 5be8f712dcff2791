#!/usr/bin/env bash
# Fetches (once, cached) and runs the Spark Structured Streaming peer of `stratus-bench kafka`.
#   run.sh BOOTSTRAP INPUT_TOPIC OUTPUT_TOPIC READINGS
#   run.sh --fetch      only install/fetch what it needs
# pyspark 3.5.7 from PyPI into the venv $STRATUS_CACHE/venv; the spark-sql-kafka-0-10 connector and
# its runtime jars from Maven Central into $STRATUS_CACHE/peers/spark/jars (Maven repo $STRATUS_CACHE/m2).
# 3.5.7 is the newest pyspark whose Kafka connector Maven Central serves for Scala 2.12.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
CACHE="${STRATUS_CACHE:-$HOME/.cache/stratus}"
SPARK_VERSION=3.5.7
VENV="$CACHE/venv"
OUT="$CACHE/peers/spark"
mkdir -p "$OUT"
[[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
if ! "$VENV/bin/python" -c "import pyspark, sys; sys.exit(pyspark.__version__ != '$SPARK_VERSION')" 2>/dev/null; then
    echo "spark peer: installing pyspark $SPARK_VERSION into $VENV" >&2
    "$VENV/bin/pip" install -q "pyspark==$SPARK_VERSION" >&2 || { echo "spark peer: pip could not install pyspark $SPARK_VERSION" >&2; exit 3; }
fi
if [[ ! -f "$OUT/jars/.complete" ]]; then
    command -v mvn >/dev/null || { echo "spark peer: maven is not installed" >&2; exit 3; }
    cat >"$OUT/pom.xml" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>org.stratus</groupId><artifactId>spark-kafka-jars</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.spark</groupId><artifactId>spark-sql-kafka-0-10_2.12</artifactId><version>$SPARK_VERSION</version></dependency>
  </dependencies>
</project>
POM
    args=(-B -q -f "$OUT/pom.xml" -Dmaven.repo.local="$CACHE/m2" dependency:copy-dependencies -DincludeScope=runtime
          -DoutputDirectory="$OUT/jars.tmp")
    rm -rf "$OUT/jars.tmp"
    if ! mvn -o "${args[@]}" >"$OUT/mvn.log" 2>&1 && ! mvn "${args[@]}" >"$OUT/mvn.log" 2>&1; then
        tail -n 20 "$OUT/mvn.log" >&2
        echo "spark peer: Maven could not fetch the Kafka connector (log: $OUT/mvn.log)" >&2
        exit 3
    fi
    rm -rf "$OUT/jars" && mv "$OUT/jars.tmp" "$OUT/jars" && touch "$OUT/jars/.complete"
fi
[[ "${1:-}" == "--fetch" ]] && exit 0
# pyspark's own jars already hold Spark and Hadoop; add only what it lacks (connector, kafka-clients, pool).
jars=$(ls "$OUT"/jars/*.jar | grep -v -e '/hadoop-client' -e '/slf4j' -e '/snappy' -e '/lz4' -e '/zstd' | paste -sd, -)
export PYSPARK_SUBMIT_ARGS="--jars $jars --driver-memory 768m pyspark-shell"
export SPARK_LOCAL_IP=127.0.0.1
exec "$VENV/bin/python" "$HERE/stratus_windows.py" "$@"
