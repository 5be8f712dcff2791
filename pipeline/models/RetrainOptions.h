#pragma once

#include "Result.h"

#include <QString>
#include <QStringList>

namespace stratus {

class Config;

// The [retrain] settings: when a candidate is trained, on what, how much better it must be to be
// promoted, and when the live model counts as drifted. Plain data plus its parser.
struct RetrainOptions
{
    // "off", "daily HH:MM" (UTC) or "every N readings" (per station: a station that has received N
    // readings since the last job triggers one).
    QString schedule = QStringLiteral("off");
    double margin = 0.02;      // relative temperature-MAE improvement over the active model needed
    int trainDays = 365;       // training span before the held-back span
    int heldBackDays = 30;     // most recent span, never trained on, on which candidates are scored
    QStringList stations;      // empty = every station in the history store
    // Station groups: each gets its own candidate (trained on its stations only, over its own
    // training span when trainDays > 0), its own comparison with the model serving it, and its own
    // decision; a promoted group's model then serves that group's stations (ModelRegistry group
    // models). Empty: one candidate for all stations, promoted as the active model.
    struct Group
    {
        QString name;
        QStringList stations;
        int trainDays = 0; // 0 = RetrainOptions::trainDays
    };
    QList<Group> groups;
    double driftFactor = 1.5;  // live error above factor × offline error …
    int driftMinutes = 360;    // … for this long (data time) raises a `model` alert
    double psiThreshold = 0.25;  // population stability index of an input feature that counts as drift
    int psiWindowHours = 168;    // live window the PSI is computed over
    bool retrainOnDrift = false; // a drift alert also starts a retrain

    // Reads the [retrain] keys; a bad schedule or groups line is an error naming it.
    static Result<RetrainOptions> fromConfig(const Config &config);
    // "north:A,B,C; south@30:D,E" → groups (a station in two groups, an empty or repeated name, a
    // group without stations: an error naming it).
    static Result<QList<Group>> parseGroups(const QString &text);
};

} // namespace stratus
