#!/usr/bin/env bash
# Trains the model built into Stratus (resources/models/, see pipeline/models/ShippedModel.h) from
# the bundled Beijing hourly data: the first two years (to 2015-03-01 UTC) for training, the last
# (to 2016-02-29, where the demo's weeks fall) held out and scored into the model's offline metrics.
# Deterministic: tst_app_shipped_model retrains with this command and compares the result.
# Usage: scripts/train-shipped-model.sh [STRATUS_BINARY] [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/app/stratus}
out=${2:-resources/models/beijing-2013-2015}
data=${STRATUS_SHARED_DIR:-../shared}/data/beijing_hourly/beijing_hourly_2013_2016.csv
rm -rf "$out.tmp"
"$bin" --train --data "$data" --out "$out.tmp" --version beijing-2013-2015 >&2
rm -rf "$out"
mv "$out.tmp" "$out"
echo "$out"
