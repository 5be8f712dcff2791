#pragma once

#include <QString>
#include <QStringView>

#include <optional>

namespace stratus::timeutil {

// Parses ISO 8601 date-times as the sources write them: "2025-12-13T09:35:00+00:00",
// "1995-03-17T23:45:00Z", "2025-07-27T03:00" (no offset: taken as UTC), "2024-02-20T12:51:00.123Z",
// and bare dates "1996-12-01" (midnight UTC). Returns UTC milliseconds since the epoch.
// Hand-written because QDateTime parsing dominated replay of the 315k-row hourly file.
std::optional<qint64> parseIsoUtc(QStringView text);
std::optional<qint64> parseIsoUtc(QByteArrayView text);

// "2025-12-13T09:35:00Z", or with milliseconds when they are not zero.
QString toIsoUtc(qint64 ms);

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's days_from_civil).
constexpr qint64 daysFromCivil(int y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const qint64 era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<qint64>(doe) - 719468;
}

inline constexpr qint64 kMsPerHour = 3600LL * 1000;
inline constexpr qint64 kMsPerDay = 24 * kMsPerHour;

} // namespace stratus::timeutil
