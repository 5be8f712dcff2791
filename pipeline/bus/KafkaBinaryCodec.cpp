#include "KafkaBinaryCodec.h"

#include <QtEndian>

#include <cmath>
#include <cstring>

namespace stratus {

namespace {
constexpr quint8 kVersion = 1;

class Writer
{
public:
    explicit Writer(KafkaBinaryCodec::Type type, qsizetype reserve)
    {
        m_out.reserve(reserve);
        m_out.append(KafkaBinaryCodec::kMagic);
        m_out.append(static_cast<char>(type));
        m_out.append(static_cast<char>(kVersion));
    }
    template <typename T>
    void put(T x)
    {
        const T le = qToLittleEndian(x);
        m_out.append(reinterpret_cast<const char *>(&le), sizeof le);
    }
    void putDouble(double d)
    {
        quint64 bits;
        std::memcpy(&bits, &d, sizeof bits);
        put<quint64>(bits);
    }
    void putString(const QString &s)
    {
        const QByteArray u = s.toUtf8();
        put<quint16>(static_cast<quint16>(std::min<qsizetype>(u.size(), 0xFFFF)));
        m_out.append(u.constData(), std::min<qsizetype>(u.size(), 0xFFFF));
    }
    QByteArray take() { return std::move(m_out); }

private:
    QByteArray m_out;
};

class Reader
{
public:
    Reader(QByteArrayView bytes, const char *what) : m_bytes(bytes), m_what(what) {}

    // Checks magic, type and version; false with error() set otherwise.
    bool header(KafkaBinaryCodec::Type type)
    {
        if (m_bytes.size() < 3 || m_bytes[0] != KafkaBinaryCodec::kMagic)
            return fail(QStringLiteral("not a binary record"));
        if (static_cast<quint8>(m_bytes[1]) != type)
            return fail(QStringLiteral("record type %1, expected %2").arg(static_cast<quint8>(m_bytes[1])).arg(type));
        if (static_cast<quint8>(m_bytes[2]) != kVersion)
            return fail(QStringLiteral("unsupported version %1 (this build reads %2)").arg(static_cast<quint8>(m_bytes[2])).arg(kVersion));
        m_pos = 3;
        return true;
    }
    template <typename T>
    T get()
    {
        if (!need(sizeof(T)))
            return T{};
        T x;
        std::memcpy(&x, m_bytes.data() + m_pos, sizeof x);
        m_pos += sizeof x;
        return qFromLittleEndian(x);
    }
    double getDouble()
    {
        const quint64 bits = get<quint64>();
        double d;
        std::memcpy(&d, &bits, sizeof d);
        return d;
    }
    QString getString()
    {
        const quint16 n = get<quint16>();
        if (!need(n))
            return QString();
        const QString s = QString::fromUtf8(m_bytes.data() + m_pos, n);
        m_pos += n;
        return s;
    }
    bool ok() const { return m_error.isEmpty(); }
    // The whole record must have been read: trailing bytes mean a different layout.
    bool finish()
    {
        if (ok() && m_pos != m_bytes.size())
            fail(QStringLiteral("%1 unexpected trailing byte(s)").arg(m_bytes.size() - m_pos));
        return ok();
    }
    bool fail(const QString &why)
    {
        if (m_error.isEmpty())
            m_error = QStringLiteral("binary %1 (%2 bytes): %3").arg(QLatin1String(m_what)).arg(m_bytes.size()).arg(why);
        return false;
    }
    QString error() const { return m_error; }

private:
    bool need(qsizetype n)
    {
        if (!ok())
            return false;
        if (m_pos + n > m_bytes.size())
            return fail(QStringLiteral("truncated at byte %1 (needs %2 more)").arg(m_pos).arg(m_pos + n - m_bytes.size()));
        return true;
    }

    QByteArrayView m_bytes;
    const char *m_what;
    qsizetype m_pos = 0;
    QString m_error;
};

std::optional<Variable> variableAt(quint8 i)
{
    if (i >= kVariableCount)
        return std::nullopt;
    return static_cast<Variable>(i);
}
} // namespace

QByteArray KafkaBinaryCodec::encode(const Reading &r)
{
    Writer w(ReadingType, 32 + r.stationId.size() + kVariableCount * 9);
    w.putString(r.stationId);
    w.put<qint64>(r.timestampMs);
    quint16 present = 0, flagged = 0;
    for (int i = 0; i < kVariableCount; ++i) {
        if (std::isfinite(r.values[i]))
            present |= quint16(1u << i);
        if (r.quality[i])
            flagged |= quint16(1u << i);
    }
    w.put<quint16>(present);
    w.put<quint16>(flagged);
    for (int i = 0; i < kVariableCount; ++i) {
        if (present & (1u << i))
            w.putDouble(r.values[i]);
    }
    for (int i = 0; i < kVariableCount; ++i) {
        if (flagged & (1u << i))
            w.put<qint8>(static_cast<qint8>(r.quality[i]));
    }
    return w.take();
}

Result<Reading> KafkaBinaryCodec::decodeReading(QByteArrayView bytes)
{
    Reader in(bytes, "reading");
    if (!in.header(ReadingType))
        return makeError(in.error());
    Reading r;
    r.stationId = in.getString();
    r.timestampMs = in.get<qint64>();
    const quint16 present = in.get<quint16>();
    const quint16 flagged = in.get<quint16>();
    if (in.ok() && ((present | flagged) >> kVariableCount) != 0)
        in.fail(QStringLiteral("variable mask 0x%1 names unknown variables").arg(present | flagged, 0, 16));
    for (int i = 0; i < kVariableCount && in.ok(); ++i) {
        if (!(present & (1u << i)))
            continue;
        const double x = in.getDouble();
        if (in.ok() && !std::isfinite(x))
            in.fail(QStringLiteral("%1: not a finite number").arg(variableKey(static_cast<Variable>(i))));
        r.values[i] = x;
    }
    for (int i = 0; i < kVariableCount && in.ok(); ++i) {
        if (flagged & (1u << i))
            r.quality[i] = static_cast<char>(in.get<qint8>());
    }
    if (in.ok() && r.stationId.isEmpty())
        in.fail(QStringLiteral("empty station id"));
    if (!in.finish())
        return makeError(in.error());
    return r;
}

QByteArray KafkaBinaryCodec::encode(const WindowStats &s)
{
    Writer w(WindowType, 96 + s.stationId.size());
    w.putString(s.stationId);
    w.put<quint8>(static_cast<quint8>(index(s.variable)));
    w.put<qint64>(s.startMs);
    w.put<qint64>(s.endMs);
    w.put<qint64>(s.count);
    for (double d : {s.mean, s.stddev, s.min, s.max, s.first, s.last, s.resultantLength})
        w.putDouble(d);
    w.put<qint32>(s.revision);
    return w.take();
}

Result<WindowStats> KafkaBinaryCodec::decodeWindow(QByteArrayView bytes)
{
    Reader in(bytes, "window");
    if (!in.header(WindowType))
        return makeError(in.error());
    WindowStats s;
    s.stationId = in.getString();
    const quint8 v = in.get<quint8>();
    if (const auto var = variableAt(v))
        s.variable = *var;
    else if (in.ok())
        in.fail(QStringLiteral("unknown variable %1").arg(v));
    s.startMs = in.get<qint64>();
    s.endMs = in.get<qint64>();
    s.count = in.get<qint64>();
    for (double *d : {&s.mean, &s.stddev, &s.min, &s.max, &s.first, &s.last, &s.resultantLength})
        *d = in.getDouble();
    s.revision = in.get<qint32>();
    if (in.ok() && s.stationId.isEmpty())
        in.fail(QStringLiteral("empty station id"));
    if (!in.finish())
        return makeError(in.error());
    return s;
}

QByteArray KafkaBinaryCodec::encode(const Forecast &f)
{
    Writer w(ForecastType, 40 + f.stationId.size() + f.model.size() + f.points.size() * 36);
    w.putString(f.stationId);
    w.put<quint8>(static_cast<quint8>(index(f.variable)));
    w.put<qint64>(f.issuedAtMs);
    w.putString(f.model);
    w.putString(f.modelVersion);
    w.put<quint16>(static_cast<quint16>(std::min<qsizetype>(f.points.size(), 0xFFFF)));
    for (qsizetype i = 0; i < std::min<qsizetype>(f.points.size(), 0xFFFF); ++i) {
        const ForecastPoint &p = f.points[i];
        w.put<qint32>(p.horizonH);
        w.put<qint64>(p.targetMs);
        w.putDouble(p.value);
        w.putDouble(p.lower);
        w.putDouble(p.upper);
    }
    return w.take();
}

Result<Forecast> KafkaBinaryCodec::decodeForecast(QByteArrayView bytes)
{
    Reader in(bytes, "forecast");
    if (!in.header(ForecastType))
        return makeError(in.error());
    Forecast f;
    f.stationId = in.getString();
    const quint8 v = in.get<quint8>();
    if (const auto var = variableAt(v))
        f.variable = *var;
    else if (in.ok())
        in.fail(QStringLiteral("unknown variable %1").arg(v));
    f.issuedAtMs = in.get<qint64>();
    f.model = in.getString();
    f.modelVersion = in.getString();
    const quint16 n = in.get<quint16>();
    if (in.ok())
        f.points.reserve(n);
    for (int i = 0; i < n && in.ok(); ++i) {
        ForecastPoint p;
        p.horizonH = in.get<qint32>();
        p.targetMs = in.get<qint64>();
        p.value = in.getDouble();
        p.lower = in.getDouble();
        p.upper = in.getDouble();
        f.points.append(p);
    }
    if (in.ok() && f.stationId.isEmpty())
        in.fail(QStringLiteral("empty station id"));
    if (!in.finish())
        return makeError(in.error());
    return f;
}

} // namespace stratus
