#include "AnomalyCommand.h"

#include "Console.h"
#include "anomaly/AnomalyEvaluator.h"
#include "anomaly/NabCorpus.h"
#include "sources/RecordedDataReader.h"

#include <QCommandLineParser>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QTextStream>

namespace stratus {

namespace {

using console::fail;

// A labelled file names a "label" column in its header.
bool isLabelled(const QString &path)
{
    QFile probe(path);
    if (!probe.open(QIODevice::ReadOnly))
        return false;
    const QList<QByteArray> header = probe.readLine().trimmed().split(',');
    return header.contains("label");
}

struct AnomalyCommandLine
{
    QCommandLineParser parser;
    QCommandLineOption command{QStringLiteral("evaluate-anomalies"), QStringLiteral("Score the anomaly detectors.")};
    QCommandLineOption data{QStringLiteral("data"), QStringLiteral("Labelled CSV or recorded stream."), QStringLiteral("FILE")};
    QCommandLineOption json{QStringLiteral("json"), QStringLiteral("Print JSON.")};
    QCommandLineOption seed{QStringLiteral("seed"), QStringLiteral("Seed for injected faults (default 1)."), QStringLiteral("N"),
                            QStringLiteral("1")};
    QCommandLineOption faults{QStringLiteral("faults"), QStringLiteral("Injected faults per kind (default 40)."),
                              QStringLiteral("N"), QStringLiteral("40")};
    QCommandLineOption labels{QStringLiteral("labels"),
                              QStringLiteral("NAB anomaly windows (combined_windows.json or a list of [start, end])."),
                              QStringLiteral("FILE")};

    AnomalyCommandLine()
    {
        parser.setApplicationDescription(QStringLiteral(
            "stratus --evaluate-anomalies --data FILE [--labels WINDOWS.json] [--json] [--seed N] [--faults N]\n"
            "  Scores the anomaly detectors (precision, recall, F1): a CSV with a label column as labelled\n"
            "  data, a recorded stream (NWS JSONL, surface CSV) with seeded injected faults, and a NAB series\n"
            "  (timestamp,value) with NAB's labelled windows (--labels) with NAB's standard profile score too."));
        parser.addOptions({command, data, json, seed, faults, labels});
        parser.addHelpOption();
    }
};

} // namespace

QString AnomalyCommand::helpText()
{
    AnomalyCommandLine o;
    return o.parser.helpText();
}

int AnomalyCommand::run(const QStringList &args)
{
    AnomalyCommandLine o;
    QCommandLineParser &p = o.parser;
    if (const auto done = console::parseCommand(p, args))
        return *done;

    if (!p.isSet(o.data))
        return fail(QStringLiteral("--evaluate-anomalies needs --data FILE"));
    bool seedOk = false, faultsOk = false;
    const uint seedValue = p.value(o.seed).toUInt(&seedOk);
    const int faultsValue = p.value(o.faults).toInt(&faultsOk);
    if (!seedOk || !faultsOk || faultsValue < 1)
        return fail(QStringLiteral("--seed and --faults need positive whole numbers"));

    const QString path = p.value(o.data);
    QTextStream out(stdout);
    if (QFile probe(path); !probe.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("%1: cannot open: %2").arg(path, probe.errorString()));
    if (p.isSet(o.labels)) {
        const auto series = NabCorpus::read(path, p.value(o.labels));
        if (!series)
            return fail(series.errorMessage());
        const NabCorpus::Score sc = NabCorpus::evaluate(*series);
        if (p.isSet(o.json))
            out << QJsonDocument(sc.toJson()).toJson(QJsonDocument::Compact) << '\n';
        else
            out << series->name << ": " << series->values.size() << " points\n" << sc.toText();
        return 0;
    }
    if (isLabelled(path)) {
        const auto set = AnomalyEvaluator::readLabelledCsv(path);
        if (!set)
            return fail(set.errorMessage());
        const AnomalyEvaluator::LabelledReport rep = AnomalyEvaluator::evaluateLabelled(*set);
        if (p.isSet(o.json))
            out << QJsonDocument(rep.toJson()).toJson(QJsonDocument::Compact) << '\n';
        else
            out << rep.toText();
        return 0;
    }
    const auto recorded = RecordedDataReader::read(path);
    if (!recorded)
        return fail(recorded.errorMessage());
    if (recorded->readings.isEmpty())
        return fail(path + QStringLiteral(": no readings to inject faults into"));
    AnomalyEvaluator::InjectionReport rep =
        AnomalyEvaluator::evaluateInjected(recorded->readings, recorded->stations, seedValue, faultsValue);
    rep.data = QFileInfo(path).fileName();
    if (p.isSet(o.json))
        out << QJsonDocument(rep.toJson()).toJson(QJsonDocument::Compact) << '\n';
    else
        out << rep.toText();
    return 0;
}

} // namespace stratus
