#include "RateLimiter.h"

#include <algorithm>

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

bool RateLimiter::admit(const QHostAddress &client)
{
    if (m_rate <= 0)
        return true;
    const qint64 now = m_clock.nsecsElapsed();
    auto it = m_buckets.find(client);
    if (it == m_buckets.end()) {
        // Forget idle clients now and then so a scan of many addresses cannot grow the table forever.
        if (m_buckets.size() > 10000)
            m_buckets.clear();
        it = m_buckets.insert(client, Bucket{m_burst, now});
    }
    it->tokens = std::min(m_burst, it->tokens + double(now - it->lastNs) * 1e-9 * m_rate);
    it->lastNs = now;
    if (it->tokens < 1.0)
        return false;
    it->tokens -= 1.0;
    return true;
}

} // namespace stratus
