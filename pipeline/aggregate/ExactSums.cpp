#include "ExactSums.h"

#include <limits>

namespace stratus {

namespace {
using u64 = ExactSums::u64;
using u128 = ExactSums::u128;

template <size_t N>
double unsignedToDouble(const std::array<u64, N> &a)
{
    // Horner from the top limb: exact whenever the number has at most 53 significant bits (a single
    // value, a constant series), otherwise within a few ulps.
    double r = 0;
    for (size_t i = N; i-- > 0;)
        r = r * 0x1p64 + static_cast<double>(a[i]);
    return r;
}

template <size_t N>
bool negative(const std::array<u64, N> &a)
{
    return (a[N - 1] >> 63) != 0;
}

template <size_t N>
std::array<u64, N> negated(std::array<u64, N> a)
{
    u64 carry = 1;
    for (size_t i = 0; i < N; ++i) {
        const u128 r = u128(~a[i]) + carry;
        a[i] = u64(r);
        carry = u64(r >> 64);
    }
    return a;
}

template <size_t N>
std::array<u64, N> magnitude(const std::array<u64, N> &a)
{
    return negative(a) ? negated(a) : a;
}
} // namespace

double ExactSums::signedToDouble(const u64 *limbs, int count)
{
    if (count == 3) {
        const std::array<u64, 3> a{limbs[0], limbs[1], limbs[2]};
        return negative(a) ? -unsignedToDouble(negated(a)) : unsignedToDouble(a);
    }
    const std::array<u64, 4> a{limbs[0], limbs[1], limbs[2], limbs[3]};
    return negative(a) ? -unsignedToDouble(negated(a)) : unsignedToDouble(a);
}

namespace {
void addN4(std::array<u64, 4> &a, const std::array<u64, 4> &b)
{
    u64 carry = 0;
    for (size_t i = 0; i < 4; ++i) {
        const u128 r = u128(a[i]) + b[i] + carry;
        a[i] = u64(r);
        carry = u64(r >> 64);
    }
}

// Little-endian 512-bit scratch integers for the rare mixed decimal/binary windows.
using Wide = std::array<u64, 8>;

template <size_t N>
Wide widen(const std::array<u64, N> &a, bool signExtend, int shiftLimbs = 0)
{
    Wide w{};
    const u64 fill = signExtend && negative(a) ? ~u64(0) : 0;
    for (int i = 0; i < 8; ++i) {
        const int j = i - shiftLimbs;
        w[size_t(i)] = j < 0 ? 0 : (j < int(N) ? a[size_t(j)] : fill);
    }
    return w;
}

void mulSmall(Wide &a, u64 m) // a ·= m, modulo 2^512 (two's complement works unchanged)
{
    u64 carry = 0;
    for (u64 &limb : a) {
        const u128 p = u128(limb) * m + carry;
        limb = u64(p);
        carry = u64(p >> 64);
    }
}

void addWide(Wide &a, const Wide &b)
{
    u64 carry = 0;
    for (size_t i = 0; i < 8; ++i) {
        const u128 r = u128(a[i]) + b[i] + carry;
        a[i] = u64(r);
        carry = u64(r >> 64);
    }
}

bool subWide(Wide &a, const Wide &b) // returns the final borrow
{
    u64 borrow = 0;
    for (size_t i = 0; i < 8; ++i) {
        const u128 r = u128(a[i]) - b[i] - borrow;
        a[i] = u64(r);
        borrow = u64(r >> 64) & 1;
    }
    return borrow != 0;
}

Wide squareWide(const Wide &a) // a², a < 2^256
{
    Wide r{};
    for (size_t i = 0; i < 4; ++i) {
        u64 carry = 0;
        for (size_t j = 0; j < 4; ++j) {
            const u128 p = u128(a[i]) * a[j] + r[i + j] + carry;
            r[i + j] = u64(p);
            carry = u64(p >> 64);
        }
        for (size_t k = i + 4; carry != 0 && k < 8; ++k) {
            const u128 p = u128(r[k]) + carry;
            r[k] = u64(p);
            carry = u64(p >> 64);
        }
    }
    return r;
}

u64 divSmall(Wide &a, u64 d) // a /= d, returns the remainder
{
    u64 rem = 0;
    for (size_t i = 8; i-- > 0;) {
        const u128 cur = (u128(rem) << 64) | a[i];
        a[i] = u64(cur / d);
        rem = u64(cur % d);
    }
    return rem;
}

// ΣV with V = 1000·q (binary values) or 2^64·k (decimal values): 1000·2^64 times the exact sum.
Wide scaledSum(const std::array<u64, 3> &s1, const std::array<u64, 2> &d1)
{
    Wide v = widen(s1, true);
    mulSmall(v, 1000);
    addWide(v, widen(d1, true, 1));
    return v;
}
} // namespace

double ExactSums::mean() const
{
    if (n <= 0)
        return std::numeric_limits<double>::quiet_NaN();
    const auto d = static_cast<u64>(n);
    if (d1 == std::array<u64, 2>{}) {
        // No decimal part (or one summing to 0): exact integer division of Σq first, so a constant
        // series gives back its value exactly.
        const bool neg = negative(s1);
        const std::array<u64, 3> m = magnitude(s1);
        std::array<u64, 3> quotient{};
        u64 rem = 0;
        for (size_t i = 3; i-- > 0;) {
            const u128 cur = (u128(rem) << 64) | m[i];
            quotient[i] = u64(cur / d);
            rem = u64(cur % d);
        }
        const double r = (unsignedToDouble(quotient) + static_cast<double>(rem) / static_cast<double>(d)) * 0x1p-64;
        return neg ? -r : r;
    }
    if (s1 == std::array<u64, 3>{}) {
        // Decimal values only (the usual case): Σk / n / 1000.
        const bool neg = negative(d1);
        const std::array<u64, 2> m = magnitude(d1);
        const u128 total = (u128(m[1]) << 64) | m[0];
        const u128 quotient = total / d;
        const u64 rem = u64(total - quotient * d);
        const double r = (static_cast<double>(quotient) + static_cast<double>(rem) / static_cast<double>(d)) / 1000.0;
        return neg ? -r : r;
    }
    // Both: ΣV / (1000·n) · 2^-64, dividing by 1000 and by n exactly.
    Wide v = scaledSum(s1, d1);
    const bool neg = negative(v);
    if (neg)
        v = negated(v);
    const u64 r1 = divSmall(v, 1000);
    const u64 r2 = divSmall(v, d);
    const double r = (unsignedToDouble(v) + (static_cast<double>(r2) + static_cast<double>(r1) / 1000.0) / static_cast<double>(d)) * 0x1p-64;
    return neg ? -r : r;
}

double ExactSums::stddev() const
{
    if (n <= 0)
        return std::numeric_limits<double>::quiet_NaN();
    const bool noDecimals = d1 == std::array<u64, 2>{} && d2 == std::array<u64, 3>{};
    if (noDecimals)
        return binaryStddev();
    const auto d = static_cast<u64>(n);
    if (s1 == std::array<u64, 3>{} && s2 == std::array<u64, 4>{}) {
        // Decimal values only: (n·Σk² − (Σk)²) / n² / 1000², in 256 bits. Σk² < 2^192 and
        // |Σk| < 2^127, so both products fit.
        std::array<u64, 4> nk2{};
        u64 carry = 0;
        for (size_t i = 0; i < 3; ++i) {
            const u128 p = u128(d2[i]) * d + carry;
            nk2[i] = u64(p);
            carry = u64(p >> 64);
        }
        nk2[3] = carry;
        const std::array<u64, 2> m = magnitude(d1);
        const u128 ll = u128(m[0]) * m[0], lh = u128(m[0]) * m[1], hh = u128(m[1]) * m[1];
        // (h·2^64 + l)² = hh·2^128 + 2·lh·2^64 + ll
        std::array<u64, 4> sq{u64(ll), u64(ll >> 64), u64(hh), u64(hh >> 64)};
        const std::array<u64, 4> cross{0, u64(lh << 1), u64(lh >> 63), u64(lh >> 127)};
        addN4(sq, cross);
        u64 borrow = 0;
        for (size_t i = 0; i < 4; ++i) {
            const u128 r = u128(nk2[i]) - sq[i] - borrow;
            nk2[i] = u64(r);
            borrow = u64(r >> 64) & 1;
        }
        if (borrow) // impossible for exact sums; guards a corrupted state
            return 0.0;
        return std::sqrt(unsignedToDouble(nk2)) / static_cast<double>(d) / 1000.0;
    }
    // Both: n·ΣV² − (ΣV)² with V as in scaledSum(), ΣV² = 10^6·Σq² + 2^128·Σk².
    Wide sumSq = widen(s2, false);
    mulSmall(sumSq, 1'000'000);
    addWide(sumSq, widen(d2, false, 2));
    mulSmall(sumSq, d);
    Wide v = scaledSum(s1, d1);
    if (negative(v))
        v = negated(v);
    if (subWide(sumSq, squareWide(v)))
        return 0.0;
    return std::sqrt(unsignedToDouble(sumSq)) / static_cast<double>(d) / 1000.0 * 0x1p-64;
}

double ExactSums::binaryStddev() const
{
    // n·Σq² − (Σq)² = n²·2^128·variance, computed exactly in 384 bits.
    constexpr size_t W = 6;
    std::array<u64, W> ns2{};
    {
        u64 carry = 0;
        for (size_t i = 0; i < 4; ++i) {
            const u128 p = u128(s2[i]) * static_cast<u64>(n) + carry;
            ns2[i] = u64(p);
            carry = u64(p >> 64);
        }
        ns2[4] = carry;
    }
    const std::array<u64, 3> m = magnitude(s1);
    std::array<u64, W> sq{};
    for (size_t i = 0; i < 3; ++i) {
        u64 carry = 0;
        for (size_t j = 0; j < 3; ++j) {
            const u128 p = u128(m[i]) * m[j] + sq[i + j] + carry;
            sq[i + j] = u64(p);
            carry = u64(p >> 64);
        }
        for (size_t k = i + 3; carry != 0 && k < W; ++k) {
            const u128 p = u128(sq[k]) + carry;
            sq[k] = u64(p);
            carry = u64(p >> 64);
        }
    }
    std::array<u64, W> diff{};
    u64 borrow = 0;
    for (size_t i = 0; i < W; ++i) {
        const u128 r = u128(ns2[i]) - sq[i] - borrow;
        diff[i] = u64(r);
        borrow = u64(r >> 64) & 1;
    }
    if (borrow) // impossible for exact sums (Cauchy–Schwarz); guards a corrupted state
        return 0.0;
    return std::sqrt(unsignedToDouble(diff)) / static_cast<double>(n) * 0x1p-64;
}

} // namespace stratus
