#!/usr/bin/env bash
# The unit tests and the REST API tests again, with everything built under AddressSanitizer and
# UndefinedBehaviorSanitizer (a headless build in build-sanitize, sharing build.sh's compiler cache).
# A sanitizer report from any process (a test, or a stratus server a test started) fails the run.
# Called by scripts/test.sh after the main suite; runs on its own after build.sh too.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/cache-env.sh
export PATH="$STRATUS_CACHE/venv/bin:$PATH"
out=build-sanitize
# The API tests exercise the server (parsing, routing, paging, exports, hostile clients); the unit
# tests everything below it. Kafka, GUI and long integration runs stay in the main suite.
tests_regex='^(tst_core_|tst_pipeline_(?!history_store|retrain$|sources_)|tst_app_api_(?!under_load)|tst_app_export_csv$|tst_app_alert_rules_api$)'
# -O0: an optimised instrumented build took 45 minutes on 2 cores; unoptimised it takes about 10, and
# the tests run slower but in a few minutes.
cmake -S . -B "$out" -G Ninja -DSTRATUS_GUI=OFF -DSTRATUS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Sanitize \
    -DCMAKE_CXX_FLAGS="-O0" -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
targets=$(cd "$out" && ctest -N | sed -n 's/^ *Test *#[0-9]*: //p' | grep -P "$tests_regex")
[ -n "$targets" ] || { echo "sanitize: no tests matched" >&2; exit 1; }
# shellcheck disable=SC2086
cmake --build "$out" -j"$(nproc)" --target stratus $targets
reports=$(mktemp -d)
trap 'rm -rf "$reports"' EXIT
# log_path: every process, including the servers the tests start, writes its report to a file here.
export ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=0:abort_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1:halt_on_error=1"
export QT_QPA_PLATFORM=offscreen
status=0
(cd "$out" && ctest --output-on-failure --timeout 900 -j"$(nproc)" -R "$(paste -sd'|' <<<"$targets" | sed 's/[^|]*/^&$/g')") || status=1
if compgen -G "$reports/*" >/dev/null; then
    echo "sanitize: reports from instrumented processes:" >&2
    cat "$reports"/* >&2
    status=1
fi
[ "$status" -eq 0 ] && echo "sanitize: $(wc -l <<<"$targets") test programs clean under ASan + UBSan"
exit "$status"
