#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>

namespace stratus {

// Token bucket per client address: `ratePerS` requests a second on average, bursts up to `burst`.
// Used on the API thread only. ratePerS 0 = unlimited.
class RateLimiter
{
public:
    RateLimiter(double ratePerS = 0, double burst = 0);
    void configure(double ratePerS, double burst);
    // true = let the request through; false = over the limit (answer 429).
    bool admit(const QHostAddress &client);
    double ratePerS() const { return m_rate; }

private:
    struct Bucket
    {
        double tokens = 0;
        qint64 lastNs = 0;
    };
    double m_rate = 0;
    double m_burst = 0;
    QElapsedTimer m_clock;
    QHash<QHostAddress, Bucket> m_buckets;
};

} // namespace stratus
