#include "TimeUtil.h"

#include <QDateTime>

namespace stratus::timeutil {

namespace {

template <typename Char>
bool digits(const Char *s, qsizetype n, int &out)
{
    int v = 0;
    for (qsizetype i = 0; i < n; ++i) {
        const auto c = s[i];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    out = v;
    return true;
}

template <typename Char>
std::optional<qint64> parse(const Char *s, qsizetype n)
{
    // YYYY-MM-DD
    int y, mo, d;
    if (n < 10 || !digits(s, 4, y) || s[4] != '-' || !digits(s + 5, 2, mo) || s[7] != '-'
        || !digits(s + 8, 2, d))
        return std::nullopt;
    if (mo < 1 || mo > 12 || d < 1 || d > 31)
        return std::nullopt;
    qint64 ms = daysFromCivil(y, unsigned(mo), unsigned(d)) * kMsPerDay;
    if (n == 10)
        return ms;
    if (s[10] != 'T' && s[10] != ' ')
        return std::nullopt;
    int h, mi, sec = 0, frac = 0;
    if (n < 16 || !digits(s + 11, 2, h) || s[13] != ':' || !digits(s + 14, 2, mi) || h > 23 || mi > 59)
        return std::nullopt;
    qsizetype i = 16;
    if (i < n && s[i] == ':') {
        if (n < i + 3 || !digits(s + i + 1, 2, sec) || sec > 60)
            return std::nullopt;
        i += 3;
        if (i < n && s[i] == '.') {
            ++i;
            int scale = 100;
            const qsizetype start = i;
            while (i < n && s[i] >= '0' && s[i] <= '9') {
                frac += (s[i] - '0') * scale;
                scale /= 10;
                ++i;
            }
            if (i == start)
                return std::nullopt;
        }
    }
    ms += ((h * 60LL + mi) * 60 + sec) * 1000 + frac;
    if (i == n)
        return ms;
    if (s[i] == 'Z' && i + 1 == n)
        return ms;
    if ((s[i] == '+' || s[i] == '-') && (n == i + 6 || n == i + 5 || n == i + 3)) {
        int oh, om = 0;
        if (!digits(s + i + 1, 2, oh))
            return std::nullopt;
        if (n == i + 6 && (s[i + 3] != ':' || !digits(s + i + 4, 2, om)))
            return std::nullopt;
        if (n == i + 5 && !digits(s + i + 3, 2, om))
            return std::nullopt;
        const qint64 offset = (oh * 60LL + om) * 60 * 1000;
        return s[i] == '+' ? ms - offset : ms + offset;
    }
    return std::nullopt;
}

} // namespace

std::optional<qint64> parseIsoUtc(QStringView text)
{
    return parse(text.utf16(), text.size());
}

std::optional<qint64> parseIsoUtc(QByteArrayView text)
{
    return parse(text.data(), text.size());
}

QString toIsoUtc(qint64 ms)
{
    const QDateTime dt = QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
    return dt.toString(ms % 1000 ? QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ")
                                 : QStringLiteral("yyyy-MM-ddTHH:mm:ssZ"));
}

} // namespace stratus::timeutil
