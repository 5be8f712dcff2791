#include "RollingWindow.h"

#include <algorithm>
#include <cmath>

namespace stratus {

namespace {

// Median as the detector has always defined it: the middle value, or the mean of the two middle
// values of an even count; partially sorts v.
double medianByPartialSort(std::vector<double> &v)
{
    const size_t mid = v.size() / 2;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
    double m = v[mid];
    if (v.size() % 2 == 0)
        m = (m + *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid))) / 2;
    return m;
}

} // namespace

RollingWindow::RollingWindow(int capacity) : m_capacity(std::max(capacity, 1)) {}

void RollingWindow::push(double x, qint64 timeMs)
{
    if (size() == m_capacity) {
        replaceOldest(x, timeMs);
        return;
    }
    const int n = size();
    if (n == static_cast<int>(m_ring.size())) {
        // Storage is full but the window is not: unroll the ring so the new value goes at the end.
        std::rotate(m_ring.begin(), m_ring.begin() + m_head, m_ring.end());
        std::rotate(m_times.begin(), m_times.begin() + m_head, m_times.end());
        m_head = 0;
        m_ring.push_back(x);
        m_times.push_back(timeMs);
    } else {
        const size_t at = static_cast<size_t>((m_head + n) % static_cast<int>(m_ring.size()));
        m_ring[at] = x;
        m_times[at] = timeMs;
    }
    m_sorted.insert(std::upper_bound(m_sorted.begin(), m_sorted.end(), x), x);
    if (x == 0.0)
        ++m_zeros;
}

// Full window: the new value takes the oldest one's place in the ring, and in the sorted values only
// those between the two positions move by one.
void RollingWindow::replaceOldest(double x, qint64 timeMs)
{
    double &slot = m_ring[static_cast<size_t>(m_head)];
    const double old = slot;
    slot = x;
    m_times[static_cast<size_t>(m_head)] = timeMs;
    m_head = (m_head + 1) % static_cast<int>(m_ring.size());
    m_zeros += (x == 0.0 ? 1 : 0) - (old == 0.0 ? 1 : 0);
    auto from = std::lower_bound(m_sorted.begin(), m_sorted.end(), old);
    if (x > old) {
        auto to = std::upper_bound(from, m_sorted.end(), x);
        std::move(from + 1, to, from);
        *(to - 1) = x;
    } else if (x < old) {
        auto to = std::upper_bound(m_sorted.begin(), from, x);
        std::move_backward(to, from, from + 1);
        *to = x;
    }
}

void RollingWindow::popOldest()
{
    const double x = m_ring[static_cast<size_t>(m_head)];
    m_sorted.erase(std::lower_bound(m_sorted.begin(), m_sorted.end(), x));
    if (x == 0.0)
        --m_zeros;
    m_head = (m_head + 1) % static_cast<int>(m_ring.size());
}

void RollingWindow::evictBefore(qint64 sinceMs)
{
    while (!m_sorted.empty() && m_times[static_cast<size_t>(m_head)] < sinceMs)
        popOldest();
}

void RollingWindow::clear()
{
    // Keeps the allocations: the window refills from here.
    m_ring.clear();
    m_times.clear();
    m_sorted.clear();
    m_head = 0;
    m_zeros = 0;
}

double RollingWindow::median() const
{
    const size_t n = m_sorted.size();
    if (n == 0)
        return 0;
    const size_t mid = n / 2;
    return n % 2 ? m_sorted[mid] : (m_sorted[mid] + m_sorted[mid - 1]) / 2;
}

// The k-th smallest (0-based) of |x − med| over the values, and the (k−1)-th. Distances grow
// outwards from med: those of the values below it, read downwards, form one ascending run (a),
// those of the others, read upwards, another (b); the first k+1 of the two sorted runs are found by
// a binary search on how many of them come from a.
std::pair<double, double> RollingWindow::kthDistances(double med, int k) const
{
    const int split = static_cast<int>(std::lower_bound(m_sorted.begin(), m_sorted.end(), med) - m_sorted.begin());
    const int na = split, nb = size() - split;
    const auto a = [&](int i) { return med - m_sorted[static_cast<size_t>(split - 1 - i)]; };
    const auto b = [&](int j) { return m_sorted[static_cast<size_t>(split + j)] - med; };
    const int want = k + 1;
    int lo = std::max(0, want - nb), hi = std::min(want, na);
    while (lo < hi) {
        const int i = (lo + hi) / 2; // take i from a, want - i from b
        if (a(i) < b(want - i - 1))
            lo = i + 1; // a's next is smaller than b's last taken: take more from a
        else
            hi = i;
    }
    const int i = lo, j = want - lo;
    // The largest of the first k+1 is the k-th; the (k−1)-th is the next largest among them.
    const double ai = i > 0 ? a(i - 1) : -1, bj = j > 0 ? b(j - 1) : -1;
    const double kth = std::max(ai, bj);
    double before = std::min(ai, bj);
    if (i > 1)
        before = std::max(before, a(i - 2));
    if (j > 1)
        before = std::max(before, b(j - 2));
    return {kth, before};
}

std::pair<double, double> RollingWindow::medianMad() const
{
    const int n = size();
    if (n == 0)
        return {0, 0};
    const double med = median();
    const auto [kth, before] = kthDistances(med, n / 2);
    return {med, n % 2 ? kth : (kth + before) / 2};
}

std::pair<double, double> RollingWindow::medianMadByCopy() const
{
    if (m_sorted.empty())
        return {0, 0};
    std::vector<double> v;
    for (int i = 0; i < size(); ++i)
        v.push_back(m_ring[static_cast<size_t>((m_head + i) % static_cast<int>(m_ring.size()))]);
    const double med = medianByPartialSort(v);
    for (double &x : v)
        x = std::abs(x - med);
    return {med, medianByPartialSort(v)};
}

} // namespace stratus
