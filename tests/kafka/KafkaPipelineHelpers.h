#pragma once

// Shared by the kafka tests: the in-process engine's output as the oracle, and the command lines
// of collector and workers.
#include "Engine.h"
#include "KafkaTestCluster.h"
#include "bus/Bus.h"
#include "bus/KafkaCodec.h"

#include <QSignalSpy>

#include <algorithm>
#include <iterator>
#include <csignal>

using namespace stratus;

namespace kafkatest {

struct Expected
{
    QList<QByteArray> windows;   // encoded, sorted
    QList<QByteArray> forecasts; // encoded, sorted
};

// The in-process engine's output for a recorded file, encoded like the topics' records.
inline Expected runInProcess(const QString &file)
{
    EngineOptions o;
    o.replayFile = file;
    o.replaySpeed = 0;
    Engine engine(o);
    Expected e;
    QObject::connect(&engine.bus(), &Bus::features, &engine, [&](const QList<WindowStats> &w) {
        for (const auto &x : w)
            e.windows.append(KafkaCodec::encode(x));
    });
    QObject::connect(&engine.bus(), &Bus::forecasts, &engine, [&](const QList<Forecast> &f) {
        for (const auto &x : f)
            e.forecasts.append(KafkaCodec::encode(x));
    });
    QSignalSpy done(&engine, &Engine::sourceFinished);
    engine.start();
    if (done.isEmpty())
        done.wait(120000);
    std::sort(e.windows.begin(), e.windows.end());
    std::sort(e.forecasts.begin(), e.forecasts.end());
    return e;
}

// Records re-encoded through the codec (so key order and number formatting cannot differ), sorted.
template <typename Decode>
QList<QByteArray> normalized(const QList<QByteArray> &values, Decode decode)
{
    QList<QByteArray> out;
    for (const QByteArray &v : values) {
        const auto x = decode(v);
        out.append(x ? KafkaCodec::encode(*x) : QByteArrayLiteral("UNDECODABLE ") + v);
    }
    std::sort(out.begin(), out.end());
    return out;
}

// Index of the first difference for a readable failure message.
inline QString firstDifference(const QList<QByteArray> &a, const QList<QByteArray> &b)
{
    for (qsizetype i = 0; i < std::min(a.size(), b.size()); ++i) {
        if (a[i] != b[i])
            return QStringLiteral("at %1: kafka %2 vs in-process %3").arg(i).arg(QString::fromUtf8(a[i]), QString::fromUtf8(b[i]));
    }
    return QStringLiteral("sizes %1 (kafka) vs %2 (in-process)").arg(a.size()).arg(b.size());
}

// Multiset difference of two sorted lists: what is missing and what is extra, with examples.
inline QString difference(const QList<QByteArray> &got, const QList<QByteArray> &want)
{
    QList<QByteArray> missing, extra;
    std::set_difference(want.begin(), want.end(), got.begin(), got.end(), std::back_inserter(missing));
    std::set_difference(got.begin(), got.end(), want.begin(), want.end(), std::back_inserter(extra));
    return QStringLiteral("%1 seen, %2 expected; %3 missing (first %4), %5 extra (first %6)")
        .arg(got.size())
        .arg(want.size())
        .arg(missing.size())
        .arg(QString::fromUtf8(missing.value(0)))
        .arg(extra.size())
        .arg(QString::fromUtf8(extra.value(0)));
}

inline QStringList workerArgs(const KafkaTestCluster &c, const QString &ns, const QString &id, const QString &role = QStringLiteral("all"))
{
    return {QStringLiteral("--worker"), QStringLiteral("--bootstrap"), c.bootstrap(), QStringLiteral("--namespace"), ns,
            QStringLiteral("--role"), role, QStringLiteral("--worker-id"), id};
}

inline QStringList collectArgs(const KafkaTestCluster &c, const QString &ns, const QString &file)
{
    return workerArgs(c, ns, QStringLiteral("collector"), QStringLiteral("collect"))
         + QStringList{QStringLiteral("--source"), QStringLiteral("replay"), QStringLiteral("--file"), file, QStringLiteral("--speed"),
                       QStringLiteral("max")};
}

inline void stopAll(std::vector<std::unique_ptr<QProcess>> &ps)
{
    for (auto &p : ps)
        p->terminate();
    for (auto &p : ps) {
        if (!p->waitForFinished(20000))
            p->kill();
    }
}

} // namespace kafkatest

using namespace kafkatest;
