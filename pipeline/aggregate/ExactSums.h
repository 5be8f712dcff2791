#pragma once

#include <QtGlobal>

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

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

    // |x| · 2^64 as an integer (hi:lo, hi < 2^32), truncated toward zero; |x| < 2^32 must hold.
    // Plain 64-bit shifts: a variable shift of a 128-bit integer compiles to branches and spills.
    static void fixedMagnitude(double x, u64 &lo, u64 &hi)
    {
        const u64 bits = std::bit_cast<u64>(x);
        const int exp = static_cast<int>((bits >> 52) & 0x7ff);
        const u64 mant = (bits & ((u64(1) << 52) - 1)) | (u64(exp != 0) << 52); // subnormals → tiny
        const int sh = exp - 1011; // x = mant · 2^(exp − 1075), so q = mant · 2^sh
        if (sh >= 0) {            // |x| ≥ 2^-12: exact; sh < 44 because |x| < 2^32
            lo = mant << sh;
            hi = (mant >> 1) >> (63 - sh);
        } else {
            lo = sh > -64 ? mant >> -sh : 0;
            hi = 0;
        }
    }
    static u128 fixedMagnitude(double x)
    {
        u64 lo, hi;
        fixedMagnitude(x, lo, hi);
        return (u128(hi) << 64) | lo;
    }

    void addValue(double x)
    {
        u64 lo, hi;
        fixedMagnitude(x, lo, hi);
        ++n;
        // Σq: branch-free signed add (signs of real temperatures are not predictable); −q in 192-bit
        // two's complement is ~q + 1 in the low limbs and all ones in the top limb.
        const u64 neg = u64(0) - u64(std::signbit(x) && (lo | hi) != 0);
        u64 vlo = lo ^ neg, vhi = hi ^ neg;
        vhi += addCarry(0, vlo, neg & 1, vlo);
        unsigned char c = addCarry(0, s1[0], vlo, s1[0]);
        c = addCarry(c, s1[1], vhi, s1[1]);
        s1[2] += neg + c;
        // Σq²: q² = lo² + 2·lo·hi·2^64 + hi²·2^128 (< 2^192).
        const u128 p0 = u128(lo) * lo;
        const u128 p1 = u128(lo) * hi; // < 2^96
        const u64 p2 = hi * hi;        // < 2^64
        const u64 t1lo = u64(p1) << 1, t1hi = u64(p1 >> 63);
        u64 l1;
        const unsigned char c1 = addCarry(0, u64(p0 >> 64), t1lo, l1);
        const u64 l2 = t1hi + p2 + c1;
        c = addCarry(0, s2[0], u64(p0), s2[0]);
        c = addCarry(c, s2[1], l1, s2[1]);
        c = addCarry(c, s2[2], l2, s2[2]);
        s2[3] += c;
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
    static unsigned char addCarry(unsigned char carry, u64 a, u64 b, u64 &out)
    {
#if defined(__x86_64__)
        unsigned long long r;
        const unsigned char c = _addcarry_u64(carry, a, b, &r);
        out = r;
        return c;
#else
        const u128 r = u128(a) + b + carry;
        out = u64(r);
        return static_cast<unsigned char>(r >> 64);
#endif
    }
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
    static double signedToDouble(const u64 *limbs, int count);
};

} // namespace stratus
