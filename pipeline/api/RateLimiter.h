#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>

namespace stratus {

// Token bucket per client: `ratePerS` requests a second on average, bursts up to `burst`. A client
// is an IPv4 address or an IPv6 /64 (one host usually holds a whole /64 and could rotate through
// it). Behind a reverse proxy every request comes from the proxy's address: limit there, or bind
// the API to loopback and let the proxy limit per client. Used on the API thread only.
// ratePerS 0 = unlimited.
class RateLimiter
{
public:
    RateLimiter(double ratePerS = 0, double burst = 0);
    void configure(double ratePerS, double burst);
    // true = let the request through; false = over the limit (answer 429).
    bool admit(const QHostAddress &client);
    double ratePerS() const { return m_rate; }
    qsizetype clients() const { return m_buckets.size(); }
    // At most this many clients are tracked; past it the idle ones are forgotten first.
    static constexpr qsizetype kMaxClients = 10000;
    // The bucket key: IPv4 address, or the first 64 bits of an IPv6 one.
    static QByteArray clientKey(const QHostAddress &address);

private:
    struct Bucket
    {
        double tokens = 0;
        qint64 lastNs = 0;
    };
    double m_rate = 0;
    double m_burst = 0;
    void evict(qint64 now);

    QElapsedTimer m_clock;
    QHash<QByteArray, Bucket> m_buckets;
};

} // namespace stratus
