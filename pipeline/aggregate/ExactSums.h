#pragma once

#include <QtGlobal>

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>

namespace stratus {

// Count, sum and sum of squares of doubles, kept as exact integers so that adding is associative
// and commutative and removing is exact.
//
// Why: floating-point sums depend on the order of the additions, so an out-of-order stream would
// give a window mean a few ulps away from the sorted stream's; and a running sum of squares that is
// updated by subtraction (subtract-on-evict) drifts and cancels catastrophically. Here every value
// is converted once, deterministically, to a fixed-point integer q = x·2^64 (exact for
// 2^-12 ≤ |x| < 2^32; smaller magnitudes are truncated below 2^-64), Σq is a 192-bit and Σq² a
// 256-bit two's-complement integer, and add/subtract/merge are integer operations. The mean and the
// population variance are derived once per emitted window from the exact integers
// (n·Σq² − (Σq)² has no cancellation), so the result is the same bit for bit whatever the arrival
// order, the batching, or the grouping of panes.
//
// Angular quantities use the same integers for Σsin (in s1) and Σcos (in s2, signed), see addAngle().
class ExactSums
{
public:
    using u64 = std::uint64_t;
    using u128 = unsigned __int128;

    // Magnitudes at or above this are refused by the caller (see SlidingWindowAggregator).
    static constexpr double kMaxMagnitude = 4294967296.0; // 2^32

    qint64 n = 0;
    std::array<u64, 3> s1{}; // Σq, 192-bit two's complement
    std::array<u64, 4> s2{}; // Σq² (linear) or Σq(cos) (angular), 256-bit two's complement

    // |x| · 2^64 as an integer, truncated toward zero; |x| < 2^32 must hold.
    static u128 fixedMagnitude(double x)
    {
        const u64 bits = std::bit_cast<u64>(x);
        const int exp = static_cast<int>((bits >> 52) & 0x7ff);
        if (exp == 0)
            return 0; // zero or subnormal
        const u64 mant = (bits & ((u64(1) << 52) - 1)) | (u64(1) << 52);
        const int sh = exp - 1075 + 64; // x = mant · 2^(exp − 1075)
        if (sh >= 0)
            return u128(mant) << sh; // sh < 44 because |x| < 2^32
        if (sh <= -64)
            return 0;
        return u128(mant >> -sh);
    }

    void addValue(double x)
    {
        const u128 q = fixedMagnitude(x);
        ++n;
        // Branch-free signed add (signs of real temperatures are not predictable): −q in 192-bit
        // two's complement is (2^128 − q) in the low limbs and all ones in the top limb.
        const u64 neg = u64(0) - u64(std::signbit(x) && q != 0);
        const u128 m = (u128(neg) << 64) | neg;
        const u128 v = (q ^ m) - m;
        const u128 lo = (u128(s1[1]) << 64) | s1[0];
        const u128 r = lo + v;
        s1[0] = u64(r);
        s1[1] = u64(r >> 64);
        s1[2] += u64(r < lo) + neg;
        addSquare(q);
    }

    // Angular values: Σsin in s1, Σcos in s2 (no sum of squares needed for a direction).
    void addAngle(double sinv, double cosv)
    {
        ++n;
        const u128 qs = fixedMagnitude(sinv), qc = fixedMagnitude(cosv);
        if (std::signbit(sinv))
            sub3(s1, qs);
        else
            add3(s1, qs);
        if (std::signbit(cosv))
            subN(s2, std::array<u64, 4>{u64(qc), u64(qc >> 64), 0, 0});
        else
            addN(s2, std::array<u64, 4>{u64(qc), u64(qc >> 64), 0, 0});
    }

    void merge(const ExactSums &o)
    {
        n += o.n;
        addN(s1, o.s1);
        addN(s2, o.s2);
    }
    void remove(const ExactSums &o)
    {
        n -= o.n;
        subN(s1, o.s1);
        subN(s2, o.s2);
    }
    bool operator==(const ExactSums &o) const = default;

    // Mean of the linear values (NaN if empty).
    double mean() const;
    // Population standard deviation of the linear values (NaN if empty).
    double stddev() const;
    // Σsin and Σcos of an angular variable, as doubles.
    double sinSum() const { return signedToDouble(s1.data(), 3) * 0x1p-64; }
    double cosSum() const { return signedToDouble(s2.data(), 4) * 0x1p-64; }

private:
    static void add3(std::array<u64, 3> &a, u128 v)
    {
        const u128 lo = (u128(a[1]) << 64) | a[0];
        const u128 r = lo + v;
        a[0] = u64(r);
        a[1] = u64(r >> 64);
        a[2] += (r < lo);
    }
    static void sub3(std::array<u64, 3> &a, u128 v)
    {
        const u128 lo = (u128(a[1]) << 64) | a[0];
        const u128 r = lo - v;
        a[0] = u64(r);
        a[1] = u64(r >> 64);
        a[2] -= (lo < v);
    }
    template <size_t N>
    static void addN(std::array<u64, N> &a, const std::array<u64, N> &b)
    {
        u64 carry = 0;
        for (size_t i = 0; i < N; ++i) {
            const u128 r = u128(a[i]) + b[i] + carry;
            a[i] = u64(r);
            carry = u64(r >> 64);
        }
    }
    template <size_t N>
    static void subN(std::array<u64, N> &a, const std::array<u64, N> &b)
    {
        u64 borrow = 0;
        for (size_t i = 0; i < N; ++i) {
            const u128 r = u128(a[i]) - b[i] - borrow;
            a[i] = u64(r);
            borrow = u64(r >> 64) & 1;
        }
    }
    void addSquare(u128 q)
    {
        // q < 2^96: q² = a0² + 2·a0·a1·2^64 + a1²·2^128 with a1 < 2^32, added as two 128-bit halves
        // (written out rather than looped: this is the hot path of every reading).
        const u64 a0 = u64(q), a1 = u64(q >> 64);
        const u128 p0 = u128(a0) * a0;
        const u128 twoP1 = (u128(a0) * a1) << 1; // < 2^97
        const u128 low = p0 + (u128(u64(twoP1)) << 64);
        const u128 high = (twoP1 >> 64) + u128(a1) * a1 + (low < p0);
        const u128 sLo = (u128(s2[1]) << 64) | s2[0];
        const u128 rLo = sLo + low;
        const u128 sHi = ((u128(s2[3]) << 64) | s2[2]) + high + (rLo < sLo);
        s2[0] = u64(rLo);
        s2[1] = u64(rLo >> 64);
        s2[2] = u64(sHi);
        s2[3] = u64(sHi >> 64);
    }
    static double signedToDouble(const u64 *limbs, int count);
};

} // namespace stratus
