#pragma once

#include <QtGlobal>

#include <utility>
#include <vector>

namespace stratus {

// The last `capacity` values of a series (optionally only those newer than a time), with their
// median and median absolute deviation (MAD) kept cheap: the values are held twice, in arrival
// order (a ring, to know which one leaves) and sorted (to read order statistics). An update is a
// binary search and a move of at most `capacity` doubles; the median is read directly and the MAD
// is the k-th smallest distance from the median, found by a binary search over the two sorted runs
// of distances on either side of it (O(log capacity)). Storage grows with what was pushed, up to
// the capacity, and is never allocated again after that: no allocation per value once full.
class RollingWindow
{
public:
    explicit RollingWindow(int capacity = 1);

    void push(double x, qint64 timeMs = 0);
    // Drops the values pushed before `sinceMs` (values must be pushed in time order).
    void evictBefore(qint64 sinceMs);
    void clear();

    int size() const { return static_cast<int>(m_sorted.size()); }
    bool empty() const { return m_sorted.empty(); }
    // How many of the values are exactly zero.
    int zeros() const { return m_zeros; }
    // Median (mean of the two middle values for an even count) and MAD of the values; {0, 0} when empty.
    std::pair<double, double> medianMad() const;
    double median() const;
    // The same, recomputed from a copy by partial sorting: the reference the fast path is tested against.
    std::pair<double, double> medianMadByCopy() const;

private:
    std::pair<double, double> kthDistances(double med, int k) const;
    void popOldest();
    void replaceOldest(double x, qint64 timeMs);

    int m_capacity;
    std::vector<double> m_ring;   // arrival order, m_head the oldest
    std::vector<qint64> m_times;
    int m_head = 0;
    std::vector<double> m_sorted; // the same values, ascending
    int m_zeros = 0;
};

} // namespace stratus
