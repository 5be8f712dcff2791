#pragma once

#include "Reading.h"
#include "Result.h"
#include "Station.h"
#include "AnomalyDetector.h"
#include "FaultInjector.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QTextStream>

namespace stratus {

// Scores the anomaly detectors (the statistical "rules" detector, the Isolation Forest, and both
// combined) with precision, recall and F1:
//  - on a labelled CSV (labelled_anomalies format: per reading, label 1 = anomalous), per reading;
//  - on a real recorded stream with seeded injected faults, per fault event: an injected fault is
//    found when an alarm of a matching kind hits its station (and variable) inside its span; an
//    alarm episode is a false alarm when it hits no fault. Alarms the detector also raises on the
//    unmodified stream are the real stream's own anomalies: counted apart (`base_alarms`), neither
//    true nor false, since nobody labelled them.
class AnomalyEvaluator
{
public:
    struct Scores
    {
        qint64 tp = 0, fp = 0, fn = 0;
        double precision() const { return tp + fp ? double(tp) / double(tp + fp) : 0; }
        double recall() const { return tp + fn ? double(tp) / double(tp + fn) : 0; }
        double f1() const
        {
            const double p = precision(), r = recall();
            return p + r > 0 ? 2 * p * r / (p + r) : 0;
        }
        QJsonObject toJson() const;
    };

    struct LabelledSet
    {
        QList<Reading> readings; // sorted by time
        QList<bool> labels;      // parallel to readings
        QList<Station> stations; // region "indoor"/"outdoor" when the file says so
        QString path;
    };
    // Columns: label; a station column (mote_id, station_id or station); time as offset_s
    // (seconds from 2010-05-09T00:00Z, the day of the recording) or time_utc; values from
    // temperature_c, humidity_pct, dewpoint_c, pressure_hpa, wind_speed_ms.
    static Result<LabelledSet> readLabelledCsv(const QString &path);

    struct LabelledReport
    {
        qint64 readings = 0, labelled = 0;
        Scores rules, ml, combined;
        QMap<QString, Scores> byKind; // per detector kind: readings it flagged, TP/FP (fn: labelled it missed)
        QString mlTraining;           // what the forest was trained on
        QJsonObject toJson() const;
        QString toText() const;
    };
    static LabelledReport evaluateLabelled(const LabelledSet &set,
                                           const AnomalyDetector::Options &options = AnomalyDetector::Options());

    struct KindReport
    {
        int faults = 0;
        Scores rules, ml, combined; // tp/fn count faults; fp counts false alarm episodes
        qint64 baseAlarms = 0;      // alarm episodes of the matching kinds on the unmodified stream
        double meanDelayH = 0;      // rules: from fault start to first matching alarm
    };
    struct InjectionReport
    {
        QString data;
        qint64 readings = 0;
        quint32 seed = 1;
        QMap<QString, KindReport> byKind;
        QString mlTraining;
        QJsonObject toJson() const;
        QString toText() const;
    };
    static InjectionReport evaluateInjected(const QList<Reading> &base, const QList<Station> &stations,
                                            quint32 seed, int faultsPerKind,
                                            const QList<FaultInjector::Kind> &kinds = {FaultInjector::kAllKinds.begin(),
                                                                                       FaultInjector::kAllKinds.end()});
};

} // namespace stratus
