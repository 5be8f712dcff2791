#include "KafkaJsonReader.h"

#include <charconv>
#include <cmath>
#include <cstring>

namespace stratus {

namespace {

class Scanner
{
public:
    explicit Scanner(QByteArrayView s) : m_p(s.data()), m_end(s.data() + s.size()) {}

    void skipSpace()
    {
        while (m_p < m_end && (*m_p == ' ' || *m_p == '\t' || *m_p == '\n' || *m_p == '\r'))
            ++m_p;
    }
    bool take(char c)
    {
        skipSpace();
        if (m_p < m_end && *m_p == c) {
            ++m_p;
            return true;
        }
        return false;
    }
    char peek()
    {
        skipSpace();
        return m_p < m_end ? *m_p : '\0';
    }
    bool atEnd()
    {
        skipSpace();
        return m_p == m_end;
    }
    // A string without escapes or control characters; the view points into the input.
    bool string(QByteArrayView *out)
    {
        if (!take('"'))
            return false;
        const char *start = m_p;
        while (m_p < m_end && *m_p != '"') {
            const auto c = static_cast<unsigned char>(*m_p);
            if (c == '\\' || c < 0x20)
                return false;
            ++m_p;
        }
        if (m_p == m_end)
            return false;
        *out = QByteArrayView(start, m_p - start);
        ++m_p;
        return true;
    }
    // A JSON number (strict grammar). Integers that fit in 64 bits are read as integers and then
    // converted, as Qt's parser stores them (so "-0" is +0.0 there too); the rest as doubles,
    // correctly rounded like Qt's.
    bool number(double *out)
    {
        skipSpace();
        const char *start = m_p;
        const char *p = m_p;
        if (p < m_end && *p == '-')
            ++p;
        if (p == m_end || *p < '0' || *p > '9')
            return false;
        if (*p == '0')
            ++p;
        else
            while (p < m_end && *p >= '0' && *p <= '9')
                ++p;
        bool integer = true;
        if (p < m_end && *p == '.') {
            integer = false;
            ++p;
            if (p == m_end || *p < '0' || *p > '9')
                return false;
            while (p < m_end && *p >= '0' && *p <= '9')
                ++p;
        }
        if (p < m_end && (*p == 'e' || *p == 'E')) {
            integer = false;
            ++p;
            if (p < m_end && (*p == '+' || *p == '-'))
                ++p;
            if (p == m_end || *p < '0' || *p > '9')
                return false;
            while (p < m_end && *p >= '0' && *p <= '9')
                ++p;
        }
        if (integer) {
            long long n = 0;
            const auto r = std::from_chars(start, p, n);
            if (r.ec != std::errc() || r.ptr != p)
                return false; // out of 64-bit range: the general path decides
            *out = static_cast<double>(n);
        } else {
            const auto r = std::from_chars(start, p, *out);
            // Negative zero: Qt's parser may keep it as the integer 0; left to it.
            if (r.ec != std::errc() || r.ptr != p || !std::isfinite(*out) || (*out == 0 && std::signbit(*out)))
                return false;
        }
        m_p = p;
        return true;
    }
    bool literal(const char *word)
    {
        skipSpace();
        const size_t n = std::strlen(word);
        if (static_cast<size_t>(m_end - m_p) < n || std::memcmp(m_p, word, n) != 0)
            return false;
        m_p += n;
        return true;
    }

private:
    const char *m_p;
    const char *m_end;
};

int variableIndex(QByteArrayView key)
{
    static const std::array<QByteArray, kVariableCount> keys = [] {
        std::array<QByteArray, kVariableCount> k;
        for (Variable v : kAllVariables)
            k[static_cast<size_t>(index(v))] = variableKey(v).toLatin1();
        return k;
    }();
    for (int i = 0; i < kVariableCount; ++i) {
        if (key == keys[static_cast<size_t>(i)])
            return i;
    }
    return -1;
}

} // namespace

std::optional<Reading> KafkaJsonReader::decodeReading(QByteArrayView json)
{
    Scanner s(json);
    if (!s.take('{'))
        return std::nullopt;
    Reading r;
    bool haveStation = false, haveTime = false, haveQc = false;
    std::array<bool, kVariableCount> seen{};
    if (s.peek() != '}') {
        do {
            QByteArrayView key;
            if (!s.string(&key) || !s.take(':'))
                return std::nullopt;
            if (key == QByteArrayView("station")) {
                QByteArrayView id;
                if (haveStation || !s.string(&id) || id.isEmpty())
                    return std::nullopt;
                for (char c : id) {
                    if (static_cast<unsigned char>(c) >= 0x80)
                        return std::nullopt; // UTF-8: left to the general path
                }
                r.stationId = QString::fromLatin1(id);
                haveStation = true;
            } else if (key == QByteArrayView("ts")) {
                double t = 0;
                if (haveTime || !s.number(&t))
                    return std::nullopt;
                r.timestampMs = static_cast<qint64>(t);
                haveTime = true;
            } else if (key == QByteArrayView("qc")) {
                if (haveQc || !s.take('{'))
                    return std::nullopt;
                haveQc = true;
                std::array<bool, kVariableCount> flagged{};
                if (s.peek() != '}') {
                    do {
                        QByteArrayView k, flag;
                        if (!s.string(&k) || !s.take(':') || !s.string(&flag))
                            return std::nullopt;
                        const int v = variableIndex(k);
                        if (v >= 0) {
                            if (flagged[v])
                                return std::nullopt;
                            flagged[v] = true;
                            // One ASCII character, as the general path takes (a multi-byte
                            // character is not one QChar's worth here: left to it).
                            if (flag.size() == 1 && static_cast<unsigned char>(flag[0]) < 0x80)
                                r.quality[v] = flag[0];
                            else if (flag.size() > 1)
                                for (char c : flag)
                                    if (static_cast<unsigned char>(c) >= 0x80)
                                        return std::nullopt;
                        }
                    } while (s.take(','));
                }
                if (!s.take('}'))
                    return std::nullopt;
            } else if (const int v = variableIndex(key); v >= 0) {
                if (seen[v])
                    return std::nullopt;
                seen[v] = true;
                double x = 0;
                if (s.literal("null"))
                    continue;
                if (!s.number(&x))
                    return std::nullopt;
                r.values[v] = x;
            } else {
                // Any other key: ignored like the general path does, if its value is simple.
                QByteArrayView ignored;
                double x = 0;
                if (s.peek() == '"') {
                    if (!s.string(&ignored))
                        return std::nullopt;
                } else if (!s.literal("null") && !s.number(&x)) {
                    return std::nullopt;
                }
            }
        } while (s.take(','));
    }
    if (!s.take('}') || !s.atEnd() || !haveStation || !haveTime)
        return std::nullopt;
    return r;
}

} // namespace stratus
