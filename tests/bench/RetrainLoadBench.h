#pragma once

#include "BenchRegistry.h"

#include <QJsonObject>

// Part of `stratus-bench inference`: one retraining run (RetrainJob: read the history store, train,
// score candidate and baselines on the held-back span) on the Beijing hourly data, and the engine's
// ingest latency per batch while it runs on the thread pool, against the same ingest with no
// retrain. Adds "retrain_seconds", "ingest_p99_ms_during_retrain" and "ingest_p99_ms_idle".
QJsonObject retrainUnderLoad(const BenchContext &ctx);
