#include "NabCorpus.h"

#include "CsvReader.h"
#include "TimeUtil.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>

namespace stratus {

namespace {

constexpr double kTpWeight = 1.0, kFpWeight = 0.11, kFnWeight = 1.0; // NAB "standard" profile

// "2013-12-10 06:25:00.000000" or ISO 8601; NAB's times are UTC without a zone.
std::optional<qint64> parseTime(QString text)
{
    text = text.trimmed();
    if (text.size() >= 19 && text[10] == QLatin1Char(' '))
        text[10] = QLatin1Char('T');
    if (const qsizetype dot = text.indexOf(QLatin1Char('.')); dot > 0)
        text.truncate(dot);
    if (!text.endsWith(QLatin1Char('Z')) && !text.contains(QLatin1Char('+')))
        text += QLatin1Char('Z');
    return timeutil::parseIsoUtc(QStringView(text));
}

Result<std::vector<std::pair<qint64, qint64>>> readWindows(const QString &path, const QString &seriesName)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(QStringLiteral("%1: cannot open: %2").arg(path, f.errorString()));
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &pe);
    QJsonArray list;
    if (doc.isArray()) {
        list = doc.array();
    } else if (doc.isObject()) {
        const QJsonObject o = doc.object();
        QStringList keys;
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (it.key() == seriesName || it.key().endsWith(QLatin1Char('/') + seriesName))
                keys << it.key();
        }
        if (keys.size() != 1)
            return makeError(QStringLiteral("%1: %2 entries name %3 (expected one; the file names %4)")
                                 .arg(path)
                                 .arg(keys.size())
                                 .arg(seriesName, QStringList(o.keys()).mid(0, 5).join(QStringLiteral(", "))));
        list = o.value(keys.first()).toArray();
    } else {
        return makeError(QStringLiteral("%1: not NAB label JSON: %2").arg(path, pe.errorString()));
    }
    std::vector<std::pair<qint64, qint64>> out;
    for (const auto &w : list) {
        const QJsonArray pair = w.toArray();
        const auto a = parseTime(pair.at(0).toString()), b = parseTime(pair.at(1).toString());
        if (pair.size() != 2 || !a || !b || *b < *a)
            return makeError(QStringLiteral("%1: a window is not a [start, end] pair of times: %2")
                                 .arg(path, QString::fromUtf8(QJsonDocument(pair).toJson(QJsonDocument::Compact))));
        out.emplace_back(*a, *b);
    }
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace

double NabCorpus::scaledSigmoid(double y)
{
    return y > 3.0 ? -1.0 : 2.0 / (1.0 + std::exp(5.0 * y)) - 1.0;
}

int NabCorpus::probationaryPoints(size_t n)
{
    return static_cast<int>(std::min(std::floor(0.15 * static_cast<double>(n)), 750.0));
}

Result<NabCorpus::Series> NabCorpus::read(const QString &seriesCsv, const QString &labelsJson)
{
    QFile file(seriesCsv);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(QStringLiteral("%1: cannot open: %2").arg(seriesCsv, file.errorString()));
    CsvReader csv(&file);
    if (!csv.readHeader())
        return makeError(QStringLiteral("%1: empty file, expected the header timestamp,value").arg(seriesCsv));
    const int tc = csv.column(QStringLiteral("timestamp")), vc = csv.column(QStringLiteral("value"));
    if (tc < 0 || vc < 0)
        return makeError(QStringLiteral("%1: not a NAB series: needs timestamp and value columns; header is \"%2\"")
                             .arg(seriesCsv, csv.header().join(QLatin1Char(','))));
    Series s;
    s.name = QFileInfo(seriesCsv).fileName();
    QStringList fields;
    while (csv.readRow(fields)) {
        const QString where = QStringLiteral("%1:%2").arg(seriesCsv).arg(csv.lineNumber());
        const auto t = parseTime(fields.value(tc));
        bool ok = false;
        const double v = fields.value(vc).toDouble(&ok);
        if (!t || !ok || !std::isfinite(v))
            return makeError(QStringLiteral("%1: expected a time and a number, got \"%2\", \"%3\"")
                                 .arg(where, fields.value(tc), fields.value(vc)));
        if (!s.timesMs.empty() && *t <= s.timesMs.back())
            return makeError(QStringLiteral("%1: times must increase").arg(where));
        s.timesMs.push_back(*t);
        s.values.push_back(v);
    }
    if (s.values.empty())
        return makeError(QStringLiteral("%1: no points after the header").arg(seriesCsv));
    auto windows = readWindows(labelsJson, s.name);
    if (!windows)
        return windows.error();
    s.windows = std::move(windows.value());
    return s;
}

NabCorpus::Score NabCorpus::score(const Series &series, const std::vector<bool> &detected)
{
    Score sc;
    const size_t n = series.values.size();
    const size_t probation = static_cast<size_t>(probationaryPoints(n));
    // Index range of each window over the series' points.
    std::vector<std::pair<size_t, size_t>> idx;
    for (const auto &[a, b] : series.windows) {
        const size_t first = static_cast<size_t>(std::lower_bound(series.timesMs.begin(), series.timesMs.end(), a) - series.timesMs.begin());
        const size_t last = static_cast<size_t>(std::upper_bound(series.timesMs.begin(), series.timesMs.end(), b) - series.timesMs.begin());
        if (last > first)
            idx.emplace_back(first, last - 1);
    }
    sc.windows = static_cast<int>(idx.size());
    std::vector<bool> inWindow(n, false);
    for (const auto &[a, b] : idx)
        for (size_t i = a; i <= b; ++i)
            inWindow[i] = true;
    const double maxTp = scaledSigmoid(-1.0);
    size_t w = 0; // next window not yet left behind
    for (size_t i = 0; i < n; ++i) {
        const bool flag = i >= probation && detected[i];
        if (inWindow[i]) {
            (flag ? sc.tp : sc.fn) += 1;
        } else if (flag) {
            ++sc.fp;
        }
        while (w < idx.size() && idx[w].second < i)
            ++w;
        if (!flag)
            continue;
        if (w < idx.size() && i >= idx[w].first) {
            if (i == firstDetection(idx[w], detected, probation)) {
                const double width = static_cast<double>(idx[w].second - idx[w].first + 1);
                const double pos = -static_cast<double>(idx[w].second - i + 1) / width;
                sc.raw += kTpWeight * scaledSigmoid(pos) / maxTp;
                ++sc.windowsDetected;
            }
        } else {
            ++sc.falsePositives;
            if (w == 0) {
                sc.raw -= kFpWeight; // before any window
            } else {
                const auto &prev = idx[w - 1];
                const double width = static_cast<double>(prev.second - prev.first + 1);
                const double past = static_cast<double>(i - prev.second) / std::max(1.0, width - 1);
                sc.raw += kFpWeight * scaledSigmoid(past);
            }
        }
    }
    sc.raw -= kFnWeight * (sc.windows - sc.windowsDetected);
    const double null = -kFnWeight * sc.windows, perfect = kTpWeight * sc.windows;
    sc.nab = perfect > null ? 100.0 * (sc.raw - null) / (perfect - null) : 0.0;
    return sc;
}

size_t NabCorpus::firstDetection(std::pair<size_t, size_t> window, const std::vector<bool> &detected, size_t probation)
{
    for (size_t i = std::max(window.first, probation); i <= window.second; ++i) {
        if (detected[i])
            return i;
    }
    return window.second + 1;
}

NabCorpus::Score NabCorpus::evaluate(const Series &series, AnomalyDetector::Options options)
{
    options.physicalLimits = false; // a NAB value is a machine's reading in its own unit
    AnomalyDetector detector(options);
    std::vector<bool> detected(series.values.size(), false);
    for (size_t i = 0; i < series.values.size(); ++i) {
        Reading r;
        r.stationId = series.name;
        r.timestampMs = series.timesMs[i];
        r.set(Variable::Temperature, series.values[i]);
        for (const Anomaly &a : detector.process(r)) {
            // A delayed (two-sided) spike names the earlier point it is about.
            const auto at = std::lower_bound(series.timesMs.begin(), series.timesMs.end(), a.timestampMs);
            if (at != series.timesMs.end() && *at == a.timestampMs)
                detected[static_cast<size_t>(at - series.timesMs.begin())] = true;
        }
    }
    return score(series, detected);
}

QJsonObject NabCorpus::Score::toJson() const
{
    return {{QStringLiteral("nab_standard"), nab},
            {QStringLiteral("nab_raw"), raw},
            {QStringLiteral("windows"), windows},
            {QStringLiteral("windows_detected"), windowsDetected},
            {QStringLiteral("false_positive_points"), falsePositives},
            {QStringLiteral("precision"), precision()},
            {QStringLiteral("recall"), recall()},
            {QStringLiteral("f1"), f1()},
            {QStringLiteral("tp"), tp},
            {QStringLiteral("fp"), fp},
            {QStringLiteral("fn"), fn}};
}

QString NabCorpus::Score::toText() const
{
    return QStringLiteral("NAB standard profile score %1 (raw %2): %3 of %4 windows detected, %5 detections outside them\n"
                          "per point (inside a window = anomalous): precision %6  recall %7  F1 %8   (tp %9, fp %10, fn %11)\n")
        .arg(nab, 0, 'f', 1)
        .arg(raw, 0, 'f', 3)
        .arg(windowsDetected)
        .arg(windows)
        .arg(falsePositives)
        .arg(precision(), 0, 'f', 3)
        .arg(recall(), 0, 'f', 3)
        .arg(f1(), 0, 'f', 3)
        .arg(tp)
        .arg(fp)
        .arg(fn);
}

} // namespace stratus
