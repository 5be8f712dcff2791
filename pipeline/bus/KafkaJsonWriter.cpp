#include "KafkaJsonWriter.h"

#include "JsonCodec.h"

#include <QLocale>

#include <cmath>

namespace stratus {

namespace {

// Printable ASCII without '"' and '\\': written as is by Qt's writer too.
bool plain(const QString &s)
{
    for (QChar c : s) {
        const char16_t u = c.unicode();
        if (u < 0x20 || u > 0x7e || u == u'"' || u == u'\\')
            return false;
    }
    return true;
}

class Writer
{
public:
    Writer() { m_out.reserve(256); }
    void open() { m_out.append('{'); m_first = true; }
    void close() { m_out.append('}'); m_first = false; }
    void key(const char *k)
    {
        if (!m_first)
            m_out.append(',');
        m_first = false;
        m_out.append('"').append(k).append("\":");
    }
    void integer(const char *k, qint64 v)
    {
        key(k);
        m_out.append(QByteArray::number(v));
    }
    // JsonCodec's putNumber: a non-finite value is left out.
    void number(const char *k, double v)
    {
        if (!std::isfinite(v))
            return;
        key(k);
        m_out.append(QByteArray::number(v, 'g', QLocale::FloatingPointShortest));
    }
    void string(const char *k, const QString &v)
    {
        key(k);
        m_out.append('"').append(v.toLatin1()).append('"');
    }
    QByteArray &raw() { return m_out; }

private:
    QByteArray m_out;
    bool m_first = true;
};

} // namespace

QByteArray KafkaJsonWriter::encode(const WindowStats &w)
{
    const QString variable = variableKey(w.variable);
    if (!plain(w.stationId) || !plain(variable))
        return JsonCodec::compact(JsonCodec::toJson(w));
    // Keys in QJsonObject order (sorted).
    Writer j;
    j.open();
    j.integer("count", w.count);
    j.integer("end", w.endMs);
    j.number("first", w.first);
    j.number("last", w.last);
    j.number("max", w.max);
    j.number("mean", w.mean);
    j.number("min", w.min);
    j.number("resultant_length", w.resultantLength);
    j.integer("revision", w.revision);
    j.integer("start", w.startMs);
    j.string("station", w.stationId);
    j.number("std", w.stddev);
    j.string("variable", variable);
    j.close();
    return j.raw();
}

QByteArray KafkaJsonWriter::encode(const Forecast &f)
{
    const QString variable = variableKey(f.variable);
    if (!plain(f.stationId) || !plain(variable) || !plain(f.model) || !plain(f.modelVersion))
        return JsonCodec::compact(JsonCodec::toJson(f));
    Writer j;
    j.open();
    j.integer("issued", f.issuedAtMs);
    j.string("model", f.model);
    j.key("points");
    j.raw().append('[');
    for (qsizetype i = 0; i < f.points.size(); ++i) {
        const ForecastPoint &x = f.points[i];
        if (i > 0)
            j.raw().append(',');
        Writer point;
        point.open();
        point.integer("h", x.horizonH);
        point.number("lower", x.lower);
        point.integer("target", x.targetMs);
        point.number("upper", x.upper);
        point.number("value", x.value);
        point.close();
        j.raw().append(point.raw());
    }
    j.raw().append(']');
    j.string("station", f.stationId);
    j.string("variable", variable);
    if (!f.modelVersion.isEmpty())
        j.string("version", f.modelVersion);
    j.close();
    return j.raw();
}

} // namespace stratus
