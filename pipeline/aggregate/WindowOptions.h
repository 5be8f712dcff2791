#pragma once

#include <QString>
#include <QtGlobal>

namespace stratus {

// Length and slide of the event-time windows, and how late a reading may arrive.
// See SlidingWindowAggregator.h for the exact lateness semantics.
struct WindowOptions
{
    qint64 lengthMs = 5 * 60'000;
    qint64 slideMs = 60'000;
    // The watermark trails the largest event time seen by this much: readings up to this far out of
    // order are treated exactly as if they had arrived sorted.
    qint64 allowedLatenessMs = 2 * 60'000;
    // Readings behind the watermark by at most this much still count: the windows they fall in are
    // re-emitted with revision + 1. Older ones are dropped and counted.
    qint64 lateGraceMs = 5 * 60'000;

    // Empty when the options are usable, otherwise what is wrong with them.
    QString problem() const
    {
        if (lengthMs <= 0 || slideMs <= 0)
            return QStringLiteral("window length and slide must be positive (got %1 ms / %2 ms)").arg(lengthMs).arg(slideMs);
        if (slideMs > lengthMs)
            return QStringLiteral("window slide (%1 ms) must not exceed its length (%2 ms)").arg(slideMs).arg(lengthMs);
        if (allowedLatenessMs < 0 || lateGraceMs < 0)
            return QStringLiteral("allowed lateness and late grace must not be negative");
        if (lengthMs / slideMs > 10'000)
            return QStringLiteral("window length (%1 ms) must be at most 10,000 slides (%2 ms): every reading would fall in too many windows")
                .arg(lengthMs).arg(slideMs);
        constexpr qint64 kYearMs = 366LL * 24 * 3600 * 1000;
        if (lengthMs > kYearMs || allowedLatenessMs > kYearMs || lateGraceMs > kYearMs)
            return QStringLiteral("window length, lateness and grace must each be at most a year");
        return QString();
    }
    bool operator==(const WindowOptions &) const = default;
};

} // namespace stratus
