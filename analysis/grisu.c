/*
 * grisu.c — doubles as short decimals that read back exactly (Grisu2).
 *
 * Loitsch, "Printing floating-point numbers quickly and accurately with
 * integers", PLDI 2010, algorithm Grisu2: the double's neighbourhood
 * (the interval of reals that round to it) is scaled by a cached power of
 * ten into 64-bit fixed point, and digits are generated until the
 * remainder falls inside the conservatively shrunk interval, then the
 * last digit is moved towards the double.  The result always reads back
 * to the same double (every approximation is inside the interval); it is
 * the shortest such decimal for all but about 0.1% of doubles, which get
 * one digit more.  Integer arithmetic only, about 20 times faster than
 * printf's %.17g.
 *
 * The digit generation, its last-digit correction and the layout of the
 * output follow Milo Yip's Grisu2 in RapidJSON (include/rapidjson/
 * internal/dtoa.h, MIT licence).  The table holds 10^k for k = −348,
 * −340, …, 340 as 64-bit significands rounded to nearest and binary
 * exponents, 10^k ≈ F·2^E, computed in exact rational arithmetic.
 * tests/check_store.c reads back 10^6 random doubles of every exponent
 * to the bit.
 */
#include "analysis/grisu.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

struct diy {
    uint64_t f;
    int e;
};

static const uint64_t pow_f[87] = {
    0xfa8fd5a0081c0288ULL, 0xbaaee17fa23ebf76ULL, 0x8b16fb203055ac76ULL,
    0xcf42894a5dce35eaULL, 0x9a6bb0aa55653b2dULL, 0xe61acf033d1a45dfULL,
    0xab70fe17c79ac6caULL, 0xff77b1fcbebcdc4fULL, 0xbe5691ef416bd60cULL,
    0x8dd01fad907ffc3cULL, 0xd3515c2831559a83ULL, 0x9d71ac8fada6c9b5ULL,
    0xea9c227723ee8bcbULL, 0xaecc49914078536dULL, 0x823c12795db6ce57ULL,
    0xc21094364dfb5637ULL, 0x9096ea6f3848984fULL, 0xd77485cb25823ac7ULL,
    0xa086cfcd97bf97f4ULL, 0xef340a98172aace5ULL, 0xb23867fb2a35b28eULL,
    0x84c8d4dfd2c63f3bULL, 0xc5dd44271ad3cdbaULL, 0x936b9fcebb25c996ULL,
    0xdbac6c247d62a584ULL, 0xa3ab66580d5fdaf6ULL, 0xf3e2f893dec3f126ULL,
    0xb5b5ada8aaff80b8ULL, 0x87625f056c7c4a8bULL, 0xc9bcff6034c13053ULL,
    0x964e858c91ba2655ULL, 0xdff9772470297ebdULL, 0xa6dfbd9fb8e5b88fULL,
    0xf8a95fcf88747d94ULL, 0xb94470938fa89bcfULL, 0x8a08f0f8bf0f156bULL,
    0xcdb02555653131b6ULL, 0x993fe2c6d07b7facULL, 0xe45c10c42a2b3b06ULL,
    0xaa242499697392d3ULL, 0xfd87b5f28300ca0eULL, 0xbce5086492111aebULL,
    0x8cbccc096f5088ccULL, 0xd1b71758e219652cULL, 0x9c40000000000000ULL,
    0xe8d4a51000000000ULL, 0xad78ebc5ac620000ULL, 0x813f3978f8940984ULL,
    0xc097ce7bc90715b3ULL, 0x8f7e32ce7bea5c70ULL, 0xd5d238a4abe98068ULL,
    0x9f4f2726179a2245ULL, 0xed63a231d4c4fb27ULL, 0xb0de65388cc8ada8ULL,
    0x83c7088e1aab65dbULL, 0xc45d1df942711d9aULL, 0x924d692ca61be758ULL,
    0xda01ee641a708deaULL, 0xa26da3999aef774aULL, 0xf209787bb47d6b85ULL,
    0xb454e4a179dd1877ULL, 0x865b86925b9bc5c2ULL, 0xc83553c5c8965d3dULL,
    0x952ab45cfa97a0b3ULL, 0xde469fbd99a05fe3ULL, 0xa59bc234db398c25ULL,
    0xf6c69a72a3989f5cULL, 0xb7dcbf5354e9beceULL, 0x88fcf317f22241e2ULL,
    0xcc20ce9bd35c78a5ULL, 0x98165af37b2153dfULL, 0xe2a0b5dc971f303aULL,
    0xa8d9d1535ce3b396ULL, 0xfb9b7cd9a4a7443cULL, 0xbb764c4ca7a44410ULL,
    0x8bab8eefb6409c1aULL, 0xd01fef10a657842cULL, 0x9b10a4e5e9913129ULL,
    0xe7109bfba19c0c9dULL, 0xac2820d9623bf429ULL, 0x80444b5e7aa7cf85ULL,
    0xbf21e44003acdd2dULL, 0x8e679c2f5e44ff8fULL, 0xd433179d9c8cb841ULL,
    0x9e19db92b4e31ba9ULL, 0xeb96bf6ebadf77d9ULL, 0xaf87023b9bf0ee6bULL
};
static const int16_t pow_e[87] = {
    -1220, -1193, -1166, -1140, -1113, -1087, -1060, -1034, -1007, -980,
    -954, -927, -901, -874, -847, -821, -794, -768, -741, -715,
    -688, -661, -635, -608, -582, -555, -529, -502, -475, -449,
    -422, -396, -369, -343, -316, -289, -263, -236, -210, -183,
    -157, -130, -103, -77, -50, -24, 3, 30, 56, 83,
    109, 136, 162, 189, 216, 242, 269, 295, 322, 348,
    375, 402, 428, 455, 481, 508, 534, 561, 588, 614,
    641, 667, 694, 720, 747, 774, 800, 827, 853, 880,
    907, 933, 960, 986, 1013, 1039, 1066
};

/* The high 64 bits of a.f·b.f, rounded. */
static struct diy
diy_mul(struct diy a, struct diy b)
{
    const uint64_t m32 = 0xFFFFFFFFULL;
    uint64_t ah = a.f >> 32, al = a.f & m32, bh = b.f >> 32, bl = b.f & m32;
    uint64_t hh = ah * bh, lh = al * bh, hl = ah * bl, ll = al * bl;
    uint64_t mid = (ll >> 32) + (hl & m32) + (lh & m32) + (1ULL << 31);
    struct diy r;
    r.f = hh + (hl >> 32) + (lh >> 32) + (mid >> 32);
    r.e = a.e + b.e + 64;
    return r;
}

static struct diy
diy_normalize(struct diy a)
{
    int s = __builtin_clzll(a.f);
    a.f <<= s;
    a.e -= s;
    return a;
}

/* 10^-K scaled so that w·10^-K has its binary exponent in [-60, -32]. */
static struct diy
cached_power(int e, int *K)
{
    double dk = (-61 - e) * 0.30102999566398114 + 347;
    int k = (int)dk;
    unsigned index;
    struct diy c;
    if (dk - k > 0.0)
        k++;
    index = (unsigned)((k >> 3) + 1);
    *K = -(-348 + (int)(index << 3));
    c.f = pow_f[index];
    c.e = pow_e[index];
    return c;
}

static void
grisu_round(char *buf, int len, uint64_t delta, uint64_t rest, uint64_t ten_kappa, uint64_t wp_w)
{
    while (rest < wp_w && delta - rest >= ten_kappa
           && (rest + ten_kappa < wp_w || wp_w - rest > rest + ten_kappa - wp_w)) {
        buf[len - 1]--;
        rest += ten_kappa;
    }
}

static int
digits32(uint32_t n)
{
    int d = 1;
    while (n >= 10) {
        n /= 10;
        d++;
    }
    return d;
}

static const uint64_t pow10_u64[20] = {
    1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL, 100000000ULL,
    1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL, 10000000000000ULL,
    100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL, 100000000000000000ULL,
    1000000000000000000ULL, 10000000000000000000ULL
};

static void
digit_gen(struct diy W, struct diy Mp, uint64_t delta, char *buf, int *len, int *K)
{
    const int shift = -Mp.e;
    const uint64_t one = (uint64_t)1 << shift, wp_w = Mp.f - W.f;
    uint32_t p1 = (uint32_t)(Mp.f >> shift);
    uint64_t p2 = Mp.f & (one - 1);
    int kappa = digits32(p1);

    *len = 0;
    while (kappa > 0) {
        uint32_t div = (uint32_t)pow10_u64[kappa - 1], d = p1 / div;
        uint64_t tmp;
        p1 %= div;
        if (d || *len)
            buf[(*len)++] = (char)('0' + d);
        kappa--;
        tmp = ((uint64_t)p1 << shift) + p2;
        if (tmp <= delta) {
            *K += kappa;
            grisu_round(buf, *len, delta, tmp, pow10_u64[kappa] << shift, wp_w);
            return;
        }
    }
    for (;;) {
        char d;
        p2 *= 10;
        delta *= 10;
        d = (char)(p2 >> shift);
        if (d || *len)
            buf[(*len)++] = (char)('0' + d);
        p2 &= one - 1;
        kappa--;
        if (p2 < delta) {
            int index = -kappa;
            *K += kappa;
            grisu_round(buf, *len, delta, p2, one, wp_w * (index < 20 ? pow10_u64[index] : 0));
            return;
        }
    }
}

/* The digits of v > 0 (finite) and K: v ≈ digits·10^K. */
static void
grisu2(double v, char *buf, int *len, int *K)
{
    uint64_t u;
    int be;
    struct diy w, pl, mi, c, W, Wp, Wm;

    memcpy(&u, &v, sizeof u);
    be = (int)((u >> 52) & 0x7FF);
    if (be) {
        w.f = (u & 0x000FFFFFFFFFFFFFULL) + 0x0010000000000000ULL;
        w.e = be - 1075;
    } else {
        w.f = u & 0x000FFFFFFFFFFFFFULL;
        w.e = -1074;
    }
    /* the boundaries m± = (w ± ½ulp), m+ normalised, m- on its exponent */
    pl.f = (w.f << 1) + 1;
    pl.e = w.e - 1;
    while (!(pl.f & (0x0010000000000000ULL << 1))) {
        pl.f <<= 1;
        pl.e--;
    }
    pl.f <<= 10;
    pl.e -= 10;
    if (w.f == 0x0010000000000000ULL) {
        mi.f = (w.f << 2) - 1;
        mi.e = w.e - 2;
    } else {
        mi.f = (w.f << 1) - 1;
        mi.e = w.e - 1;
    }
    mi.f <<= mi.e - pl.e;
    mi.e = pl.e;

    c = cached_power(pl.e, K);
    W = diy_mul(diy_normalize(w), c);
    Wp = diy_mul(pl, c);
    Wm = diy_mul(mi, c);
    Wm.f++;
    Wp.f--;
    digit_gen(W, Wp, Wp.f - Wm.f, buf, len, K);
}

static int
write_exponent(int k, char *p)
{
    char *start = p;
    if (k < 0) {
        *p++ = '-';
        k = -k;
    }
    if (k >= 100) {
        *p++ = (char)('0' + k / 100);
        k %= 100;
        *p++ = (char)('0' + k / 10);
        *p++ = (char)('0' + k % 10);
    } else if (k >= 10) {
        *p++ = (char)('0' + k / 10);
        *p++ = (char)('0' + k % 10);
    } else {
        *p++ = (char)('0' + k);
    }
    return (int)(p - start);
}

/* digits·10^k written as a JSON number: an integer, a decimal fraction,
 * or d.ddde±x beyond 10^21 and below 10^-6 (as JavaScript does). */
static int
prettify(char *buf, int len, int k)
{
    const int kk = len + k;     /* 10^(kk-1) <= v < 10^kk */
    int i;
    if (k >= 0 && kk <= 21) {
        for (i = len; i < kk; i++)
            buf[i] = '0';
        return kk;
    }
    if (kk > 0 && kk <= 21) {
        memmove(&buf[kk + 1], &buf[kk], (size_t)(len - kk));
        buf[kk] = '.';
        return len + 1;
    }
    if (kk > -6 && kk <= 0) {
        const int offset = 2 - kk;
        memmove(&buf[offset], &buf[0], (size_t)len);
        buf[0] = '0';
        buf[1] = '.';
        for (i = 2; i < offset; i++)
            buf[i] = '0';
        return len + offset;
    }
    if (len == 1) {
        buf[1] = 'e';
        return 2 + write_exponent(kk - 1, &buf[2]);
    }
    memmove(&buf[2], &buf[1], (size_t)(len - 1));
    buf[1] = '.';
    buf[len + 1] = 'e';
    return len + 2 + write_exponent(kk - 1, &buf[len + 2]);
}

int
grisu_format(char *buf, double v)
{
    int len, K, n = 0;
    if (v == 0.0) {
        if (signbit(v))
            buf[n++] = '-';
        buf[n++] = '0';
        buf[n] = '\0';
        return n;
    }
    if (v < 0.0) {
        buf[n++] = '-';
        v = -v;
    }
    grisu2(v, buf + n, &len, &K);
    n += prettify(buf + n, len, K);
    buf[n] = '\0';
    return n;
}
