#include "RetrainSchedule.h"

#include "TimeUtil.h"

#include <QRegularExpression>

namespace stratus {

Result<RetrainSchedule> RetrainSchedule::parse(const QString &text)
{
    const QString t = text.trimmed().toLower();
    RetrainSchedule s;
    if (t.isEmpty() || t == QLatin1String("off"))
        return s;
    static const QRegularExpression daily(QStringLiteral("^daily\\s+(\\d{1,2}):(\\d{2})$"));
    static const QRegularExpression every(QStringLiteral("^every\\s+(\\d+)\\s+readings(\\s+per\\s+station)?$"));
    if (const auto m = daily.match(t); m.hasMatch()) {
        const int h = m.captured(1).toInt(), min = m.captured(2).toInt();
        if (h > 23 || min > 59)
            return makeError(QStringLiteral("retrain schedule \"%1\": the time must be HH:MM from 00:00 to 23:59").arg(text));
        s.m_kind = Kind::Daily;
        s.m_minuteOfDay = h * 60 + min;
        return s;
    }
    if (const auto m = every.match(t); m.hasMatch()) {
        bool ok = false;
        s.m_every = m.captured(1).toInt(&ok);
        if (!ok || s.m_every < 1)
            return makeError(QStringLiteral("retrain schedule \"%1\": N must be a positive whole number").arg(text));
        s.m_kind = Kind::EveryReadings;
        return s;
    }
    return makeError(QStringLiteral("retrain schedule \"%1\": expected off, daily HH:MM (UTC) or every N readings").arg(text));
}

qint64 RetrainSchedule::nextDailyMs(qint64 afterMs) const
{
    if (m_kind != Kind::Daily)
        return -1;
    const qint64 day = afterMs - ((afterMs % timeutil::kMsPerDay) + timeutil::kMsPerDay) % timeutil::kMsPerDay;
    qint64 at = day + m_minuteOfDay * 60'000LL;
    if (at <= afterMs)
        at += timeutil::kMsPerDay;
    return at;
}

bool RetrainSchedule::countReading(const QString &station)
{
    if (m_kind != Kind::EveryReadings)
        return false;
    if (++m_counts[station] < m_every)
        return false;
    m_counts.clear();
    return true;
}

QString RetrainSchedule::text() const
{
    switch (m_kind) {
    case Kind::Off: return QStringLiteral("off");
    case Kind::Daily:
        return QStringLiteral("daily %1:%2").arg(m_minuteOfDay / 60, 2, 10, QLatin1Char('0')).arg(m_minuteOfDay % 60, 2, 10, QLatin1Char('0'));
    case Kind::EveryReadings: return QStringLiteral("every %1 readings").arg(m_every);
    }
    return {};
}

} // namespace stratus
