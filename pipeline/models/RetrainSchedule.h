#pragma once

#include "Result.h"

#include <QHash>
#include <QString>

namespace stratus {

// When the next scheduled retrain is due: "off", "daily HH:MM" (UTC) or "every N readings" (per
// station). Pure logic, so the scheduler's timer and the tests share it.
class RetrainSchedule
{
public:
    enum class Kind { Off, Daily, EveryReadings };

    static Result<RetrainSchedule> parse(const QString &text);

    Kind kind() const { return m_kind; }
    // Daily: the first HH:MM UTC strictly after `afterMs`; -1 for the other kinds.
    qint64 nextDailyMs(qint64 afterMs) const;
    // EveryReadings: counts readings per station; true once a station reaches N (then resets all).
    bool countReading(const QString &station);
    void resetCounts() { m_counts.clear(); }
    int everyReadings() const { return m_every; }
    QString text() const;

private:
    Kind m_kind = Kind::Off;
    int m_minuteOfDay = 0;
    int m_every = 0;
    QHash<QString, int> m_counts;
};

} // namespace stratus
