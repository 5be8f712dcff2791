#include "RateLimiter.h"

#include <algorithm>
#include <vector>

namespace stratus {

RateLimiter::RateLimiter(double ratePerS, double burst)
{
    m_clock.start();
    configure(ratePerS, burst);
}

void RateLimiter::configure(double ratePerS, double burst)
{
    m_rate = std::max(0.0, ratePerS);
    m_burst = std::max(burst, m_rate);
    m_buckets.clear();
}

QByteArray RateLimiter::clientKey(const QHostAddress &address)
{
    bool v4 = false;
    const quint32 ip4 = address.toIPv4Address(&v4); // also an IPv4-mapped IPv6 address
    if (v4)
        return QByteArray::number(ip4);
    const Q_IPV6ADDR ip6 = address.toIPv6Address();
    return QByteArray(reinterpret_cast<const char *>(ip6.c), 8);
}

bool RateLimiter::admit(const QHostAddress &client)
{
    if (m_rate <= 0)
        return true;
    const qint64 now = m_clock.nsecsElapsed();
    const QByteArray key = clientKey(client);
    auto it = m_buckets.find(key);
    if (it == m_buckets.end()) {
        if (m_buckets.size() >= kMaxClients)
            evict(now);
        it = m_buckets.insert(key, Bucket{m_burst, now});
    }
    it->tokens = std::min(m_burst, it->tokens + double(now - it->lastNs) * 1e-9 * m_rate);
    it->lastNs = now;
    if (it->tokens < 1.0)
        return false;
    it->tokens -= 1.0;
    return true;
}

void RateLimiter::evict(qint64 now)
{
    // A bucket that has refilled is the same as no bucket: forgetting it changes nothing. Only if a
    // flood of distinct clients keeps them all busy are the longest idle ones forgotten as well
    // (down to 90 %, so this runs once per thousand new clients, not on every one). A throttled
    // client is never reset just because others arrived.
    const qint64 refillNs = qint64(m_burst / m_rate * 1e9);
    m_buckets.removeIf([&](const auto &it) { return now - it.value().lastNs >= refillNs; });
    if (m_buckets.size() < kMaxClients)
        return;
    std::vector<qint64> seen;
    seen.reserve(size_t(m_buckets.size()));
    for (const Bucket &b : std::as_const(m_buckets))
        seen.push_back(b.lastNs);
    const size_t drop = seen.size() - size_t(kMaxClients * 9 / 10);
    std::nth_element(seen.begin(), seen.begin() + qsizetype(drop), seen.end());
    const qint64 cutoff = seen[drop];
    m_buckets.removeIf([&](const auto &it) { return it.value().lastNs < cutoff; });
}

} // namespace stratus
