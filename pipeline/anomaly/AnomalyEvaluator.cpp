#include "AnomalyEvaluator.h"

#include "CsvReader.h"
#include "TimeUtil.h"
#include "IsolationForestDetector.h"
#include "sources/RecordedDataReader.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QHash>
#include <QJsonArray>
#include <QSet>

#include <algorithm>
#include <cmath>

namespace stratus {

namespace {

struct Alarm
{
    QString stationId;
    Variable variable;
    AnomalyKind kind;
    qint64 timeMs;
};

QString alarmKey(const Alarm &a)
{
    return a.stationId % QLatin1Char('|') % QString::number(index(a.variable)) % QLatin1Char('|')
        % QString::number(static_cast<int>(a.kind)) % QLatin1Char('|') % QString::number(a.timeMs);
}

QList<Alarm> runRules(const QList<Reading> &readings, const QList<Station> &stations)
{
    AnomalyDetector detector;
    detector.setStations(stations);
    QList<Alarm> out;
    for (const Reading &r : readings) {
        for (const Anomaly &a : detector.process(r))
            out.append({a.stationId, a.variable, a.kind, a.timestampMs});
    }
    return out;
}

QList<Alarm> runMl(IsolationForestDetector &ml, const QList<Reading> &readings)
{
    ml.resetState();
    QList<Alarm> out;
    for (const Reading &r : readings) {
        if (auto a = ml.process(r))
            out.append({a->stationId, a->variable, a->kind, a->timestampMs});
    }
    return out;
}

// Which detector kinds count as finding a fault of each injected kind.
bool matches(FaultInjector::Kind fault, AnomalyKind kind)
{
    switch (fault) {
    case FaultInjector::Kind::Spike: return kind == AnomalyKind::Spike || kind == AnomalyKind::WindowDeviation;
    case FaultInjector::Kind::Stuck: return kind == AnomalyKind::Stuck;
    case FaultInjector::Kind::Drift: return kind == AnomalyKind::Spatial || kind == AnomalyKind::ForecastResidual;
    case FaultInjector::Kind::Dropout: return kind == AnomalyKind::Dropout;
    }
    return false;
}

struct EventScore
{
    AnomalyEvaluator::Scores scores;
    qint64 baseEpisodes = 0;
    double meanDelayH = 0;
};

// Count alarm episodes: runs of alarms on one station less than `gapMs` apart.
qint64 episodes(QList<Alarm> alarms, qint64 gapMs)
{
    std::sort(alarms.begin(), alarms.end(), [](const Alarm &a, const Alarm &b) {
        return a.stationId != b.stationId ? a.stationId < b.stationId : a.timeMs < b.timeMs;
    });
    qint64 n = 0;
    for (qsizetype i = 0; i < alarms.size(); ++i) {
        if (i == 0 || alarms[i].stationId != alarms[i - 1].stationId || alarms[i].timeMs - alarms[i - 1].timeMs > gapMs)
            ++n;
    }
    return n;
}

EventScore scoreEvents(const QList<Alarm> &alarms, const QList<Alarm> &baseAlarms, const QList<FaultInjector::Fault> &faults,
                       bool anyVariable)
{
    constexpr qint64 kEpisodeGap = 6 * timeutil::kMsPerHour;
    QSet<QString> base;
    for (const Alarm &a : baseAlarms)
        base.insert(alarmKey(a));
    QHash<QString, QList<int>> faultsByStation;
    for (int i = 0; i < faults.size(); ++i)
        faultsByStation[faults[i].stationId].append(i);
    std::vector<qint64> firstHit(static_cast<size_t>(faults.size()), -1);
    // Alarms the unmodified stream raises too are the real stream's own; the rest form episodes
    // (per station, alarms less than 6 h apart). An episode that hits a fault is that fault's
    // detection, including the part of it that outlasts the fault; one that hits none is a false alarm.
    QList<Alarm> fresh;
    for (const Alarm &a : alarms) {
        if (!base.contains(alarmKey(a)))
            fresh.append(a);
    }
    std::sort(fresh.begin(), fresh.end(), [](const Alarm &a, const Alarm &b) {
        return a.stationId != b.stationId ? a.stationId < b.stationId : a.timeMs < b.timeMs;
    });
    qint64 falseEpisodes = 0;
    bool episodeHit = false;
    for (qsizetype i = 0; i < fresh.size(); ++i) {
        const Alarm &a = fresh[i];
        const bool startsEpisode = i == 0 || a.stationId != fresh[i - 1].stationId
            || a.timeMs - fresh[i - 1].timeMs > kEpisodeGap;
        if (startsEpisode) {
            if (i > 0 && !episodeHit)
                ++falseEpisodes;
            episodeHit = false;
        }
        for (int k : faultsByStation.value(a.stationId)) {
            const auto &f = faults[k];
            const bool varOk = anyVariable || f.kind == FaultInjector::Kind::Dropout || f.variable == a.variable;
            if (varOk && a.timeMs >= f.startMs && a.timeMs <= f.endMs) {
                episodeHit = true;
                if (firstHit[static_cast<size_t>(k)] < 0)
                    firstHit[static_cast<size_t>(k)] = a.timeMs;
            }
        }
    }
    if (!fresh.isEmpty() && !episodeHit)
        ++falseEpisodes;
    EventScore s;
    double delay = 0;
    for (int i = 0; i < faults.size(); ++i) {
        if (firstHit[static_cast<size_t>(i)] >= 0) {
            ++s.scores.tp;
            delay += static_cast<double>(firstHit[static_cast<size_t>(i)] - faults[i].startMs) / timeutil::kMsPerHour;
        } else {
            ++s.scores.fn;
        }
    }
    s.meanDelayH = s.scores.tp ? delay / static_cast<double>(s.scores.tp) : 0;
    s.scores.fp = falseEpisodes;
    s.baseEpisodes = episodes(baseAlarms, kEpisodeGap);
    return s;
}

QString pct(double x) { return QString::number(x, 'f', 3); }

QString scoreRow(const QString &name, const AnomalyEvaluator::Scores &s)
{
    return QStringLiteral("  %1 precision %2  recall %3  F1 %4   (tp %5, fp %6, fn %7)\n")
        .arg(name.leftJustified(10), pct(s.precision()), pct(s.recall()), pct(s.f1()))
        .arg(s.tp)
        .arg(s.fp)
        .arg(s.fn);
}

} // namespace

QJsonObject AnomalyEvaluator::Scores::toJson() const
{
    return {{QStringLiteral("precision"), precision()}, {QStringLiteral("recall"), recall()}, {QStringLiteral("f1"), f1()},
            {QStringLiteral("tp"), tp},                 {QStringLiteral("fp"), fp},           {QStringLiteral("fn"), fn}};
}

Result<AnomalyEvaluator::LabelledSet> AnomalyEvaluator::readLabelledCsv(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(QStringLiteral("%1: cannot open: %2").arg(path, file.errorString()));
    CsvReader csv(&file);
    if (!csv.readHeader())
        return makeError(QStringLiteral("%1: empty file, expected a header line").arg(path));
    const auto col = [&](std::initializer_list<const char *> names) { return csv.firstColumn(names); };
    const int labelCol = col({"label"});
    const int stationCol = col({"mote_id", "station_id", "station"});
    const int offsetCol = col({"offset_s"});
    const int timeCol = col({"time_utc"});
    const int indoorCol = col({"indoor"});
    QHash<QString, Station> stations;
    if (labelCol < 0 || stationCol < 0 || (offsetCol < 0 && timeCol < 0))
        return makeError(QStringLiteral("%1: not a labelled anomaly CSV: needs label, mote_id (or station_id) and "
                                        "offset_s (or time_utc) columns; header is \"%2\"")
                             .arg(path, csv.header().join(QLatin1Char(','))));
    const std::pair<const char *, Variable> valueCols[] = {
        {"temperature_c", Variable::Temperature}, {"humidity_pct", Variable::Humidity},
        {"dewpoint_c", Variable::Dewpoint},       {"pressure_hpa", Variable::Pressure},
        {"wind_speed_ms", Variable::WindSpeed}};
    std::vector<std::pair<int, Variable>> values;
    for (const auto &[name, v] : valueCols) {
        const int c = csv.column(QString::fromLatin1(name));
        if (c >= 0)
            values.emplace_back(c, v);
    }
    if (values.empty())
        return makeError(QStringLiteral("%1: no value column (temperature_c, humidity_pct, dewpoint_c, pressure_hpa, "
                                        "wind_speed_ms)")
                             .arg(path));
    // The motes' clock time is not in the source; the recording day anchors offset_s.
    constexpr qint64 kDayMs = timeutil::daysFromCivil(2010, 5, 9) * timeutil::kMsPerDay;
    struct Row
    {
        Reading r;
        bool label;
    };
    QList<Row> rows;
    QStringList fields;
    while (csv.readRow(fields)) {
        const auto field = [&](int c) { return c < fields.size() ? fields[c].trimmed() : QString(); };
        const QString where = QStringLiteral("%1:%2").arg(path).arg(csv.lineNumber());
        Row row;
        const QString label = field(labelCol);
        if (label != QLatin1String("0") && label != QLatin1String("1"))
            return makeError(QStringLiteral("%1: label \"%2\" is not 0 or 1").arg(where, label));
        row.label = label == QLatin1String("1");
        const QString station = field(stationCol);
        if (station.isEmpty())
            return makeError(QStringLiteral("%1: empty station/mote id").arg(where));
        bool ok = false;
        row.r.stationId = stationCol == csv.column(QStringLiteral("mote_id")) ? QStringLiteral("mote") + station : station;
        if (!stations.contains(row.r.stationId)) {
            Station st;
            st.id = row.r.stationId;
            if (indoorCol >= 0)
                st.region = field(indoorCol) == QLatin1String("1") ? QStringLiteral("indoor") : QStringLiteral("outdoor");
            stations.insert(st.id, st);
        }
        if (offsetCol >= 0) {
            const double s = field(offsetCol).toDouble(&ok);
            if (!ok || !std::isfinite(s))
                return makeError(QStringLiteral("%1: offset_s \"%2\" is not a number").arg(where, field(offsetCol)));
            row.r.timestampMs = kDayMs + static_cast<qint64>(std::llround(s * 1000.0));
        } else {
            const auto t = timeutil::parseIsoUtc(field(timeCol));
            if (!t)
                return makeError(QStringLiteral("%1: time_utc \"%2\" is not an ISO 8601 time").arg(where, field(timeCol)));
            row.r.timestampMs = *t;
        }
        for (const auto &[c, v] : values) {
            const QString text = field(c);
            if (text.isEmpty())
                continue; // missing stays missing
            const double x = text.toDouble(&ok);
            if (!ok)
                return makeError(QStringLiteral("%1: %2 \"%3\" is not a number").arg(where, csv.header().value(c), text));
            row.r.set(v, x);
        }
        rows.append(row);
    }
    if (rows.isEmpty())
        return makeError(QStringLiteral("%1: no readings after the header").arg(path));
    std::stable_sort(rows.begin(), rows.end(), [](const Row &a, const Row &b) { return a.r.timestampMs < b.r.timestampMs; });
    LabelledSet set;
    set.path = path;
    set.stations = stations.values();
    for (const Row &row : std::as_const(rows)) {
        set.readings.append(row.r);
        set.labels.append(row.label);
    }
    return set;
}

AnomalyEvaluator::LabelledReport AnomalyEvaluator::evaluateLabelled(const LabelledSet &set,
                                                                    const AnomalyDetector::Options &options)
{
    LabelledReport rep;
    rep.readings = set.readings.size();
    rep.labelled = std::count(set.labels.begin(), set.labels.end(), true);

    AnomalyDetector detector(options);
    detector.setStations(set.stations);
    std::vector<bool> rulesFlag(static_cast<size_t>(set.readings.size()), false);
    QMap<QString, std::vector<bool>> kindFlags;
    for (qsizetype i = 0; i < set.readings.size(); ++i) {
        const QList<Anomaly> found = detector.process(set.readings[i]);
        rulesFlag[static_cast<size_t>(i)] = !found.isEmpty();
        for (const Anomaly &a : found) {
            auto &flags = kindFlags[anomalyKindKey(a.kind)];
            if (flags.empty())
                flags.assign(static_cast<size_t>(set.readings.size()), false);
            flags[static_cast<size_t>(i)] = true;
        }
    }

    // The forest learns from the first 40 % of each station's readings, labels unused.
    QHash<QString, qsizetype> perStation, seen;
    for (const Reading &r : set.readings)
        ++perStation[r.stationId];
    QList<Reading> history;
    for (const Reading &r : set.readings) {
        if (seen[r.stationId]++ < perStation[r.stationId] * 4 / 10)
            history.append(r);
    }
    IsolationForestDetector ml;
    ml.train(history);
    rep.mlTraining = QStringLiteral("first 40 % of each station's readings (%1 readings, labels unused); threshold %2")
                         .arg(history.size())
                         .arg(ml.threshold(), 0, 'f', 3);
    std::vector<bool> mlFlag(rulesFlag.size(), false);
    for (qsizetype i = 0; i < set.readings.size(); ++i)
        mlFlag[static_cast<size_t>(i)] = ml.process(set.readings[i]).has_value();

    const auto tally = [&](Scores &s, const std::vector<bool> &flag) {
        for (size_t i = 0; i < flag.size(); ++i) {
            const bool l = set.labels[static_cast<qsizetype>(i)];
            if (flag[i] && l)
                ++s.tp;
            else if (flag[i])
                ++s.fp;
            else if (l)
                ++s.fn;
        }
    };
    tally(rep.rules, rulesFlag);
    tally(rep.ml, mlFlag);
    std::vector<bool> both(rulesFlag.size());
    for (size_t i = 0; i < both.size(); ++i)
        both[i] = rulesFlag[i] || mlFlag[i];
    tally(rep.combined, both);
    for (auto it = kindFlags.cbegin(); it != kindFlags.cend(); ++it)
        tally(rep.byKind[it.key()], it.value());
    return rep;
}

QJsonObject AnomalyEvaluator::LabelledReport::toJson() const
{
    QJsonObject o = rules.toJson();
    QJsonObject kinds;
    for (auto it = byKind.cbegin(); it != byKind.cend(); ++it)
        kinds.insert(it.key(), it.value().toJson());
    o.insert(QStringLiteral("by_kind"), kinds);
    o.insert(QStringLiteral("readings"), readings);
    o.insert(QStringLiteral("labelled"), labelled);
    o.insert(QStringLiteral("detectors"),
             QJsonObject{{QStringLiteral("rules"), rules.toJson()},
                         {QStringLiteral("ml"), ml.toJson()},
                         {QStringLiteral("combined"), combined.toJson()}});
    o.insert(QStringLiteral("ml_training"), mlTraining);
    return o;
}

QString AnomalyEvaluator::LabelledReport::toText() const
{
    QString s = QStringLiteral("labelled anomalies: %1 readings, %2 labelled anomalous (scored per reading)\n")
                    .arg(readings)
                    .arg(labelled);
    s += scoreRow(QStringLiteral("rules"), rules);
    s += scoreRow(QStringLiteral("ml"), ml);
    s += scoreRow(QStringLiteral("combined"), combined);
    s += QStringLiteral("by kind (rules detector; readings flagged with that kind):\n");
    for (auto it = byKind.cbegin(); it != byKind.cend(); ++it)
        s += scoreRow(it.key(), it.value());
    s += QStringLiteral("ml trained on the %1\n").arg(mlTraining);
    return s;
}

AnomalyEvaluator::InjectionReport AnomalyEvaluator::evaluateInjected(const QList<Reading> &base,
                                                                     const QList<Station> &stations, quint32 seed,
                                                                     int faultsPerKind,
                                                                     const QList<FaultInjector::Kind> &kinds)
{
    InjectionReport rep;
    rep.readings = base.size();
    rep.seed = seed;
    const QList<Alarm> baseRules = runRules(base, stations);

    // The forest learns from the first 30 % of the unmodified stream (by time).
    IsolationForestDetector ml;
    const QList<Reading> history = base.mid(0, base.size() * 3 / 10);
    ml.train(history);
    rep.mlTraining = QStringLiteral("first 30 % of the unmodified stream (%1 readings); threshold %2")
                         .arg(history.size())
                         .arg(ml.threshold(), 0, 'f', 3);
    const QList<Alarm> baseMl = runMl(ml, base);

    for (FaultInjector::Kind kind : kinds) {
        FaultInjector::Options fo;
        fo.seed = seed;
        fo.count = faultsPerKind;
        const FaultInjector::Injection inj = FaultInjector::inject(base, kind, fo);
        const auto keep = [kind](const QList<Alarm> &all) {
            QList<Alarm> out;
            for (const Alarm &a : all) {
                if (matches(kind, a.kind))
                    out.append(a);
            }
            return out;
        };
        const QList<Alarm> rules = keep(runRules(inj.readings, stations));
        const QList<Alarm> rulesBase = keep(baseRules);
        const QList<Alarm> mlAlarms = runMl(ml, inj.readings);

        KindReport k;
        k.faults = inj.faults.size();
        const EventScore r = scoreEvents(rules, rulesBase, inj.faults, false);
        k.rules = r.scores;
        k.baseAlarms = r.baseEpisodes;
        k.meanDelayH = r.meanDelayH;
        k.ml = scoreEvents(mlAlarms, baseMl, inj.faults, true).scores;
        k.combined = scoreEvents(rules + mlAlarms, rulesBase + baseMl, inj.faults, true).scores;
        rep.byKind.insert(FaultInjector::kindKey(kind), k);
    }
    return rep;
}

QJsonObject AnomalyEvaluator::InjectionReport::toJson() const
{
    Scores pooled;
    QJsonObject kinds;
    for (auto it = byKind.cbegin(); it != byKind.cend(); ++it) {
        const KindReport &k = it.value();
        pooled.tp += k.rules.tp;
        pooled.fp += k.rules.fp;
        pooled.fn += k.rules.fn;
        QJsonObject o = k.rules.toJson();
        o.insert(QStringLiteral("faults"), k.faults);
        o.insert(QStringLiteral("base_alarms"), k.baseAlarms);
        o.insert(QStringLiteral("mean_delay_h"), k.meanDelayH);
        o.insert(QStringLiteral("ml"), k.ml.toJson());
        o.insert(QStringLiteral("combined"), k.combined.toJson());
        kinds.insert(it.key(), o);
    }
    QJsonObject o = pooled.toJson();
    o.insert(QStringLiteral("by_kind"), kinds);
    o.insert(QStringLiteral("data"), data);
    o.insert(QStringLiteral("readings"), readings);
    o.insert(QStringLiteral("seed"), static_cast<qint64>(seed));
    o.insert(QStringLiteral("ml_training"), mlTraining);
    return o;
}

QString AnomalyEvaluator::InjectionReport::toText() const
{
    QString s = QStringLiteral("injected faults into %1 (%2 readings, seed %3), scored per fault event\n")
                    .arg(data)
                    .arg(readings)
                    .arg(seed);
    for (auto it = byKind.cbegin(); it != byKind.cend(); ++it) {
        const KindReport &k = it.value();
        s += QStringLiteral("%1: %2 faults, %3 alarm episodes of matching kinds on the unmodified stream (not scored), "
                            "mean delay %4 h\n")
                 .arg(it.key())
                 .arg(k.faults)
                 .arg(k.baseAlarms)
                 .arg(k.meanDelayH, 0, 'f', 1);
        s += scoreRow(QStringLiteral("rules"), k.rules);
        s += scoreRow(QStringLiteral("ml"), k.ml);
        s += scoreRow(QStringLiteral("combined"), k.combined);
    }
    s += QStringLiteral("ml trained on the %1\n").arg(mlTraining);
    return s;
}

} // namespace stratus
