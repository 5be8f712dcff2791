#include "MetricsWriter.h"

#include <QLocale>

#include <cmath>

namespace stratus {

namespace {
const char *typeName(MetricsWriter::Type type)
{
    switch (type) {
    case MetricsWriter::Type::Counter: return "counter";
    case MetricsWriter::Type::Gauge: return "gauge";
    case MetricsWriter::Type::Histogram: return "histogram";
    }
    return "untyped";
}
} // namespace

QByteArray MetricsWriter::formatValue(double value)
{
    if (std::isnan(value))
        return QByteArrayLiteral("NaN");
    if (std::isinf(value))
        return value > 0 ? QByteArrayLiteral("+Inf") : QByteArrayLiteral("-Inf");
    // Whole numbers (counters) without an exponent up to 2^53, where doubles stay exact.
    if (std::abs(value) < 9007199254740992.0 && value == std::trunc(value))
        return QByteArray::number(static_cast<qint64>(value));
    return QByteArray::number(value, 'g', QLocale::FloatingPointShortest);
}

QByteArray MetricsWriter::escapeLabelValue(const QString &value)
{
    QByteArray b = value.toUtf8();
    b.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    return b;
}

QByteArray MetricsWriter::escapeHelp(const char *help)
{
    QByteArray b(help);
    b.replace('\\', "\\\\").replace('\n', "\\n");
    return b;
}

void MetricsWriter::family(const QByteArray &name, Type type, const char *help)
{
    m_name = name;
    Q_ASSERT_X(!m_families.contains(m_name), "MetricsWriter::family", name.constData());
    m_families.insert(m_name);
    m_out += "# HELP " + m_name + ' ' + escapeHelp(help) + "\n# TYPE " + m_name + ' ' + typeName(type) + '\n';
}

void MetricsWriter::sample(Labels labels, double value, const char *suffix)
{
    m_out += m_name;
    m_out += suffix;
    if (labels.size() > 0) {
        m_out += '{';
        bool first = true;
        for (const Label &l : labels) {
            if (!first)
                m_out += ',';
            first = false;
            m_out += l.name;
            m_out += "=\"" + escapeLabelValue(l.value) + '"';
        }
        m_out += '}';
    }
    m_out += ' ' + formatValue(value) + '\n';
}

void MetricsWriter::counter(const QByteArray &name, const char *help, double value)
{
    family(name, Type::Counter, help);
    sample(value);
}

void MetricsWriter::gauge(const QByteArray &name, const char *help, double value)
{
    family(name, Type::Gauge, help);
    sample(value);
}

void MetricsWriter::appendRendered(const QByteArray &text)
{
    m_out += text;
}

} // namespace stratus
