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

double ExactSums::mean() const
{
    if (n <= 0)
        return std::numeric_limits<double>::quiet_NaN();
    // Exact integer division first, so a constant series gives back its value exactly.
    const bool neg = negative(s1);
    const std::array<u64, 3> m = magnitude(s1);
    std::array<u64, 3> quotient{};
    u64 rem = 0;
    const u64 d = static_cast<u64>(n);
    for (size_t i = 3; i-- > 0;) {
        const u128 cur = (u128(rem) << 64) | m[i];
        quotient[i] = u64(cur / d);
        rem = u64(cur % d);
    }
    const double r = (unsignedToDouble(quotient) + static_cast<double>(rem) / static_cast<double>(d)) * 0x1p-64;
    return neg ? -r : r;
}

double ExactSums::stddev() const
{
    if (n <= 0)
        return std::numeric_limits<double>::quiet_NaN();
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
