#pragma once

#include <QtGlobal>

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
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
// DECIMAL VALUES. Sensor values are decimals, and a value x that is the double nearest to a
// multiple of 0.001 (21.1, −3.25, 1013.2 …; tested exactly: x == double(k) / 1000 with
// k = round(1000·x)) is taken as that decimal k/1000 and summed as the integer k (Σk in d1, Σk² in
// d2): one multiply, one rounding, one division and three integer adds instead of a 96-bit fixed
// point and its 192-bit square. Which path a value takes depends only on the value, so sums stay
// exact and order-independent; mean() and stddev() combine both parts exactly. The mean of
// decimals is that of the decimals themselves (it differs from the mean of their nearest doubles by
// far less than one ulp of the value).
//
// Angular quantities use the same integers for Σsin (in s1) and Σcos (in s2, signed), see addAngle().
class ExactSums
{
public:
    using u64 = std::uint64_t;
    using u128 = unsigned __int128;

    // Magnitudes at or above this are refused by the caller (see SlidingWindowAggregator).
    static constexpr double kMaxMagnitude = 4294967296.0; // 2^32

    // The decimal part first: it is what almost every reading touches.
    qint64 n = 0;
    std::array<u64, 2> d1{}; // Σk of decimal values k/1000, 128-bit two's complement
    std::array<u64, 3> d2{}; // Σk², 192-bit
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

    // Adds a linear value (|x| < kMaxMagnitude, not NaN): a decimal one as k/1000, else exactly.
    void addValue(double x)
    {
        // |x| < 2^32, so |k| < 2^42 and k² < 2^84.
        const double scaled = x * 1000.0;
#if defined(__SSE2__)
        const std::int64_t k = _mm_cvtsd_si64(_mm_set_sd(scaled)); // current rounding mode: nearest
#else
        const std::int64_t k = std::llrint(scaled);
#endif
        if (static_cast<double>(k) / 1000.0 == x) [[likely]] {
            ++n;
            const __int128 kk = __int128(k) * k;
            const u64 ext = u64(k >> 63);
#if defined(__x86_64__) && defined(__GNUC__)
            asm("addq %[k], %[a0]\n\t"
                "adcq %[ext], %[a1]\n\t"
                "addq %[sqlo], %[b0]\n\t"
                "adcq %[sqhi], %[b1]\n\t"
                "adcq $0, %[b2]"
                : [a0] "+m"(d1[0]), [a1] "+m"(d1[1]), [b0] "+m"(d2[0]), [b1] "+m"(d2[1]), [b2] "+m"(d2[2])
                : [k] "r"(u64(k)), [ext] "r"(ext), [sqlo] "r"(u64(kk)), [sqhi] "r"(u64(u128(kk) >> 64))
                : "cc");
#else
            const u128 a = (u128(d1[1]) << 64) | d1[0];
            const u128 r = a + u128(__int128(k));
            d1[0] = u64(r);
            d1[1] = u64(r >> 64);
            const u128 b = (u128(d2[1]) << 64) | d2[0];
            const u128 rb = b + u128(kk);
            d2[0] = u64(rb);
            d2[1] = u64(rb >> 64);
            d2[2] += u64(rb < b);
#endif
            return;
        }
        addBinary(x);
    }

    // Adds x as the 96-bit fixed-point q; branch-free in the sign (signs of real temperatures are
    // not predictable).
    void addBinary(double x)
    {
        u64 lo, hi;
        fixedMagnitude(x, lo, hi);
        ++n;
        const u64 neg = u64(std::int64_t(std::bit_cast<u64>(x)) >> 63);
#if defined(__x86_64__) && defined(__GNUC__)
        // GCC spills 128-bit temporaries and carry flags here; the carry chains by hand are
        // half the instructions. Same integers as the portable code below.
        u64 vlo = lo ^ neg, vhi = hi ^ neg, ext;
        u64 p0lo, p0hi, tlo, thi;
        asm("subq %[neg], %[vlo]\n\t"
            "sbbq %[neg], %[vhi]\n\t"
            "movq %[vhi], %[ext]\n\t"
            "sarq $63, %[ext]\n\t"
            "addq %[vlo], %[a0]\n\t"
            "adcq %[vhi], %[a1]\n\t"
            "adcq %[ext], %[a2]"
            : [vlo] "+&r"(vlo), [vhi] "+&r"(vhi), [ext] "=&r"(ext), [a0] "+m"(s1[0]), [a1] "+m"(s1[1]), [a2] "+m"(s1[2])
            : [neg] "r"(neg)
            : "cc");
        const u128 p0 = u128(lo) * lo;
        const u128 t = u128(lo) * hi; // < 2^96
        p0lo = u64(p0);
        p0hi = u64(p0 >> 64);
        tlo = u64(t);
        thi = u64(t >> 64);
        const u64 p2 = hi * hi;
        // q² = p0 + 2t·2^64 + p2·2^128, limbs (p0lo, p0hi + 2tlo, 2thi + p2 + carry, carry-free)
        asm("addq %[tlo], %[tlo]\n\t"
            "adcq %[thi], %[thi]\n\t"
            "addq %[tlo], %[p0hi]\n\t"
            "adcq %[p2], %[thi]\n\t"
            "addq %[p0lo], %[b0]\n\t"
            "adcq %[p0hi], %[b1]\n\t"
            "adcq %[thi], %[b2]\n\t"
            "adcq $0, %[b3]"
            : [tlo] "+&r"(tlo), [thi] "+&r"(thi), [p0hi] "+&r"(p0hi), [b0] "+m"(s2[0]), [b1] "+m"(s2[1]), [b2] "+m"(s2[2]),
              [b3] "+m"(s2[3])
            : [p0lo] "r"(p0lo), [p2] "r"(p2)
            : "cc");
#else
        addSigned3(s1, signedFixed(neg, lo, hi));
        // Σq²: q² = lo² + 2·lo·hi·2^64 + hi²·2^128 (< 2^192).
        const u128 p0 = u128(lo) * lo;
        const u128 t = (u128(lo) * hi) << 1; // < 2^97
        const u128 low = p0 + (t << 64);
        const u128 high = u128(hi * hi) + u64(t >> 64) + u64(low < p0);
        const u128 a = (u128(s2[1]) << 64) | s2[0];
        const u128 r = a + low;
        const u128 b = ((u128(s2[3]) << 64) | s2[2]) + high + u64(r < a);
        s2[0] = u64(r);
        s2[1] = u64(r >> 64);
        s2[2] = u64(b);
        s2[3] = u64(b >> 64);
#endif
    }

    // Angular values: Σsin in s1, Σcos in s2 (no sum of squares needed for a direction).
    void addAngle(double sinv, double cosv)
    {
        ++n;
        u64 lo, hi;
        fixedMagnitude(sinv, lo, hi);
        addSigned3(s1, signedFixed(u64(std::int64_t(std::bit_cast<u64>(sinv)) >> 63), lo, hi));
        fixedMagnitude(cosv, lo, hi);
        const u128 v = signedFixed(u64(std::int64_t(std::bit_cast<u64>(cosv)) >> 63), lo, hi);
        const u64 ext = u64(std::int64_t(u64(v >> 64)) >> 63); // sign extension of v
        const u128 a = (u128(s2[1]) << 64) | s2[0];
        const u128 r = a + v;
        const u128 b = ((u128(s2[3]) << 64) | s2[2]) + ((u128(ext) << 64) | ext) + u64(r < a);
        s2[0] = u64(r);
        s2[1] = u64(r >> 64);
        s2[2] = u64(b);
        s2[3] = u64(b >> 64);
    }

    void merge(const ExactSums &o)
    {
        n += o.n;
        addN(s1, o.s1);
        addN(s2, o.s2);
        addN(d1, o.d1);
        addN(d2, o.d2);
    }
    void remove(const ExactSums &o)
    {
        n -= o.n;
        subN(s1, o.s1);
        subN(s2, o.s2);
        subN(d1, o.d1);
        subN(d2, o.d2);
    }
    bool operator==(const ExactSums &o) const = default;

    // Mean of the linear values (NaN if empty).
    double mean() const;
    // Population standard deviation of the linear values (NaN if empty).
    double stddev() const;

private:
    double binaryStddev() const;

public:
    // Σsin and Σcos of an angular variable, as doubles.
    double sinSum() const { return signedToDouble(s1.data(), 3) * 0x1p-64; }
    double cosSum() const { return signedToDouble(s2.data(), 4) * 0x1p-64; }

private:
    // ±q (neg: all ones for minus) as a 128-bit two's-complement integer (q < 2^96); −0 gives 0.
    static u128 signedFixed(u64 neg, u64 lo, u64 hi)
    {
        const u128 nn = (u128(neg) << 64) | neg;
        return ((((u128(hi) << 64) | lo)) ^ nn) - nn;
    }
    // a (192-bit) += v (128-bit two's complement, sign-extended).
    static void addSigned3(std::array<u64, 3> &a, u128 v)
    {
        const u64 ext = u64(std::int64_t(u64(v >> 64)) >> 63);
        const u128 lo = (u128(a[1]) << 64) | a[0];
        const u128 r = lo + v;
        a[0] = u64(r);
        a[1] = u64(r >> 64);
        a[2] += ext + u64(r < lo);
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
