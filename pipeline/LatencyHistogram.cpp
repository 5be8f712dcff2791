#include "LatencyHistogram.h"

#include <QLocale>

namespace stratus {

void LatencyHistogram::observeNs(qint64 ns)
{
    const double s = double(ns) * 1e-9;
    size_t i = 0;
    while (i < kBoundsS.size() && s > kBoundsS[i])
        ++i;
    m_buckets[i].fetch_add(1, std::memory_order_relaxed);
    m_count.fetch_add(1, std::memory_order_relaxed);
    m_sumNs.fetch_add(ns, std::memory_order_relaxed);
}

QByteArray LatencyHistogram::render(const char *name, const char *help) const
{
    const QByteArray n(name);
    QByteArray out = "# HELP " + n + ' ' + help + "\n# TYPE " + n + " histogram\n";
    qint64 cumulative = 0;
    for (size_t i = 0; i <= kBoundsS.size(); ++i) {
        cumulative += m_buckets[i].load(std::memory_order_relaxed);
        const QByteArray le = i < kBoundsS.size()
                                  ? QByteArray::number(kBoundsS[i], 'g', QLocale::FloatingPointShortest)
                                  : QByteArray("+Inf");
        out += n + "_bucket{le=\"" + le + "\"} " + QByteArray::number(cumulative) + '\n';
    }
    out += n + "_sum " + QByteArray::number(double(m_sumNs.load(std::memory_order_relaxed)) * 1e-9, 'g', 9) + '\n';
    out += n + "_count " + QByteArray::number(m_count.load(std::memory_order_relaxed)) + '\n';
    return out;
}

} // namespace stratus
