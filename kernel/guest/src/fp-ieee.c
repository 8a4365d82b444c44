/* fp-ieee: IEEE 754 arithmetic in all four C rounding modes (F and D).
 *
 * add, sub, mul, div, sqrt, fused multiply-add (a single rounding: values
 * where a separate multiply and add round differently), conversions
 * (integer <-> double, double -> float, llrint, rint, nearbyint), strtod,
 * signed zeros, overflow to infinity or the largest finite value, underflow
 * to subnormals and zero, and the exception flags each operation raises
 * (fetestexcept). Every result is printed with %a, which is exact.
 *
 * Nothing here is RISC-V specific: IEEE 754 fixes every result, so the same
 * source built for x86-64 prints the same bytes (NaNs are printed as "NaN":
 * their sign and payload are not fixed by the standard; fp-riscv checks
 * RISC-V's). The operations are separate non-inlined functions so that the
 * compiler neither folds them nor fuses a multiply and an add.
 */
#include "tap.h"

#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define NOFOLD __attribute__((noipa))

static NOFOLD double add(double a, double b, double c) { (void)c; return a + b; }
static NOFOLD double sub(double a, double b, double c) { (void)c; return a - b; }
static NOFOLD double mul(double a, double b, double c) { (void)c; return a * b; }
static NOFOLD double dvd(double a, double b, double c) { (void)c; return a / b; }
static NOFOLD double root(double a, double b, double c) { (void)b, (void)c; return sqrt(a); }
static NOFOLD double fused(double a, double b, double c) { return fma(a, b, c); }
static NOFOLD double unfused(double a, double b, double c) { return add(mul(a, b, 0), c, 0); }
static NOFOLD double from_i64(double a, double b, double c) { (void)b, (void)c; return (double)(int64_t)a; }
static volatile uint64_t u64_max = UINT64_MAX;
static volatile int64_t i64_odd = (INT64_C(1) << 53) + 1;
static volatile int32_t i32_odd = (1 << 24) + 1;
static NOFOLD double from_u64_max(double a, double b, double c) { (void)a, (void)b, (void)c; return (double)u64_max; }
static NOFOLD double from_i64_odd(double a, double b, double c) { (void)a, (void)b, (void)c; return (double)i64_odd; }
static NOFOLD double to_float(double a, double b, double c) { (void)b, (void)c; return (float)a; }
/* Called through pointers: gcc expands rint inline as if the rounding mode
 * were always to nearest (it is, without -frounding-math). */
static double (*volatile rint_fn)(double) = rint;
static double (*volatile nearbyint_fn)(double) = nearbyint;
static NOFOLD double round_int(double a, double b, double c) { (void)b, (void)c; return rint_fn(a); }
static NOFOLD double round_near(double a, double b, double c) { (void)b, (void)c; return nearbyint_fn(a); }
static NOFOLD double parse_tenth(double a, double b, double c) { (void)a, (void)b, (void)c; return strtod("0.1", NULL); }
static NOFOLD double parse_tiny(double a, double b, double c) { (void)a, (void)b, (void)c; return strtod("3e-324", NULL); }
static NOFOLD double fadd_s(double a, double b, double c) { (void)c; return (float)a + (float)b; }
static NOFOLD double fdiv_s(double a, double b, double c) { (void)c; return (float)a / (float)b; }
static NOFOLD double fmul_s(double a, double b, double c) { (void)c; return (float)a * (float)b; }
static NOFOLD double fsqrt_s(double a, double b, double c) { (void)b, (void)c; return sqrtf((float)a); }
static NOFOLD double fused_s(double a, double b, double c) { return fmaf((float)a, (float)b, (float)c); }
static NOFOLD double from_i32_s(double a, double b, double c) { (void)a, (void)b, (void)c; return (float)i32_odd; }

typedef double (*op)(double, double, double);

static const int modes[4] = {FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO};
static const char *const mode_names[4] = {"RN", "RD", "RU", "RZ"};

/* Runs f in rounding mode m with the flags cleared; returns the result and
 * stores the flags it raised. */
static double in_mode(int m, op f, double a, double b, double c, int *flags) {
  fesetround(modes[m]);
  feclearexcept(FE_ALL_EXCEPT);
  volatile double r = f(a, b, c);
  *flags = fetestexcept(FE_ALL_EXCEPT);
  fesetround(FE_TONEAREST);
  return r;
}

static void format(char *out, size_t size, double x, int flags) {
  static const char *const names[] = {"NV", "DZ", "OF", "UF", "NX"};
  static const int bits[] = {FE_INVALID, FE_DIVBYZERO, FE_OVERFLOW, FE_UNDERFLOW, FE_INEXACT};
  int n = isnan(x) ? snprintf(out, size, "NaN") : snprintf(out, size, "%a", x);
  const char *sep = " [";
  for (int i = 0; i < 5; i++) {
    if (!(flags & bits[i])) continue;
    n += snprintf(out + n, size - n, "%s%s", sep, names[i]);
    sep = ",";
  }
  if (*sep == ',') snprintf(out + n, size - n, "]");
}

/* One line: an operation's result and flags in each rounding mode. */
static void row(const char *name, op f, double a, double b, double c) {
  printf("%-26s", name);
  for (int m = 0; m < 4; m++) {
    int flags;
    double r = in_mode(m, f, a, b, c, &flags);
    char text[64];
    format(text, sizeof text, r, flags);
    printf(" %s %-28s", mode_names[m], text);
  }
  printf("\n");
}

static double result(int m, op f, double a, double b, double c) {
  int flags;
  return in_mode(m, f, a, b, c, &flags);
}

static int flags_of(op f, double a, double b, double c) {
  int flags;
  in_mode(0, f, a, b, c, &flags);
  return flags;
}

static long long llrint_in(int m, double x) {
  fesetround(modes[m]);
  volatile long long r = llrint(x);
  fesetround(FE_TONEAREST);
  return r;
}

int main(void) {
  tap_begin("fp-ieee");
  const double third = 1.0 / 3.0, tie = 0x1p-53, ulp1 = 0x1p-52;

  printf("# double: result [flags] in each rounding mode\n");
  row("1 / 3", dvd, 1, 3, 0);
  row("-1 / 3", dvd, -1, 3, 0);
  row("0.1 + 0.2", add, 0.1, 0.2, 0);
  row("1 + 2^-53 (a tie)", add, 1, tie, 0);
  row("-1 - 2^-53 (a tie)", sub, -1, tie, 0);
  row("1 - 2^-54", sub, 1, 0x1p-54, 0);
  row("0.1 * 3", mul, 0.1, 3, 0);
  row("1 - 1", sub, 1, 1, 0);
  row("-0 + +0", add, -0.0, 0.0, 0);
  row("DBL_MAX * 2", mul, DBL_MAX, 2, 0);
  row("-DBL_MAX * 2", mul, -DBL_MAX, 2, 0);
  row("DBL_MAX + DBL_MAX/2^53", add, DBL_MAX, DBL_MAX * 0x1p-53, 0);
  row("DBL_MIN * 2^-10 (exact)", mul, DBL_MIN, 0x1p-10, 0);
  row("DBL_MIN * (1 - 2^-53)", mul, DBL_MIN, 1 - tie, 0);
  row("DBL_TRUE_MIN * 0.5", mul, 0x1p-1074, 0.5, 0);
  row("-DBL_TRUE_MIN * 0.5", mul, -0x1p-1074, 0.5, 0);
  row("1e-310 / 3", dvd, 1e-310, 3, 0);
  row("1 / 0", dvd, 1, 0, 0);
  row("-1 / 0", dvd, -1, 0, 0);
  row("0 / 0", dvd, 0, 0, 0);
  row("inf - inf", sub, INFINITY, INFINITY, 0);
  row("0 * inf", mul, 0, INFINITY, 0);
  row("2 * 3 (exact)", mul, 2, 3, 0);
  row("sqrt(2)", root, 2, 0, 0);
  row("sqrt(3)", root, 3, 0, 0);
  row("sqrt(1e-310)", root, 1e-310, 0, 0);
  row("sqrt(-0)", root, -0.0, 0, 0);
  row("sqrt(-1)", root, -1, 0, 0);
  row("fma(1+2^-52, 1-2^-53, -1)", fused, 1 + ulp1, 1 - tie, -1);
  row("  the same, unfused", unfused, 1 + ulp1, 1 - tie, -1);
  row("fma(0.1, 10, -1)", fused, 0.1, 10, -1);
  row("  the same, unfused", unfused, 0.1, 10, -1);
  row("fma(1/3, 3, -1)", fused, third, 3, -1);
  row("fma(1+2^-30, 1+2^-30, 2^-80)", fused, 1 + 0x1p-30, 1 + 0x1p-30, 0x1p-80);
  row("fma(DBL_MAX, 2, -DBL_MAX)", fused, DBL_MAX, 2, -DBL_MAX);
  row("  the same, unfused", unfused, DBL_MAX, 2, -DBL_MAX);
  row("fma(-0, 1, +0)", fused, -0.0, 1, 0.0);
  row("fma(2^-600, 2^-600, 1)", fused, 0x1p-600, 0x1p-600, 1);
  row("fma(-2^-600, 2^-600, 1)", fused, -0x1p-600, 0x1p-600, 1);
  row("fma(inf, 0, 1)", fused, INFINITY, 0, 1);
  row("(double)(2^53 + 1)", from_i64_odd, 0, 0, 0);
  row("(double)UINT64_MAX", from_u64_max, 0, 0, 0);
  row("(double)(int64)-3", from_i64, -3, 0, 0);
  row("(float)0.1", to_float, 0.1, 0, 0);
  row("(float)-0.1", to_float, -0.1, 0, 0);
  row("(float)1e39", to_float, 1e39, 0, 0);
  row("(float)1e-46", to_float, 1e-46, 0, 0);
  row("rint(2.5)", round_int, 2.5, 0, 0);
  row("rint(-0.5)", round_int, -0.5, 0, 0);
  row("nearbyint(-2.5)", round_near, -2.5, 0, 0);
  row("strtod(\"0.1\")", parse_tenth, 0, 0, 0);
  row("strtod(\"3e-324\")", parse_tiny, 0, 0, 0);
  printf("# float\n");
  row("1f / 3f", fdiv_s, 1, 3, 0);
  row("1f + 2^-24 (a tie)", fadd_s, 1, 0x1p-24, 0);
  row("FLT_MAX * 2", fmul_s, FLT_MAX, 2, 0);
  row("FLT_TRUE_MIN * 0.5", fmul_s, 0x1p-149, 0.5, 0);
  row("sqrtf(2)", fsqrt_s, 2, 0, 0);
  row("fmaf(1+2^-23, 1-2^-24, -1)", fused_s, 1 + 0x1p-23, 1 - 0x1p-24, -1);
  row("fmaf(1+2^-12, 1+2^-12, 2^-40)", fused_s, 1 + 0x1p-12, 1 + 0x1p-12, 0x1p-40);
  row("(float)(2^24 + 1)", from_i32_s, 0, 0, 0);
  printf("# llrint: RN RD RU RZ\n");
  const double to_round[] = {2.5, -2.5, 3.5, -0.5, 0x1p51 + 0.5};
  for (int i = 0; i < 5; i++)
    printf("llrint(%a): %lld %lld %lld %lld\n", to_round[i], llrint_in(0, to_round[i]), llrint_in(1, to_round[i]),
           llrint_in(2, to_round[i]), llrint_in(3, to_round[i]));

  /* Checks against values worked out by hand. */
  check(fesetround(FE_UPWARD) == 0 && fegetround() == FE_UPWARD, "fesetround(FE_UPWARD) sticks");
  fesetround(FE_TONEAREST);
  check(result(0, fused, 1 + ulp1, 1 - tie, -1) == 0x1.ffffffffffffep-54,
        "fma rounds once: (1+2^-52)(1-2^-53) - 1 = 2^-53 - 2^-105 exactly");
  check(result(0, unfused, 1 + ulp1, 1 - tie, -1) == 0, "a separate multiply rounds the product to 1 first: 0");
  check(result(0, fused, 0.1, 10, -1) == 0x1p-54, "fma(0.1, 10, -1) is 0.1's representation error times 10: 2^-54");
  check(result(0, fused, DBL_MAX, 2, -DBL_MAX) == DBL_MAX, "fma(DBL_MAX, 2, -DBL_MAX) does not overflow");
  check(result(0, fused, 1 + 0x1p-30, 1 + 0x1p-30, 0x1p-80) == 1 + 0x1p-29 &&
            result(2, fused, 1 + 0x1p-30, 1 + 0x1p-30, 0x1p-80) == 1 + 0x1p-29 + 0x1p-52,
        "fma(1+2^-30, 1+2^-30, 2^-80): 1+2^-29 to nearest, one ulp more upward");
  check(result(0, fused_s, 1 + 0x1p-23, 1 - 0x1p-24, -1) == 0x1.fffffcp-25, "fmaf rounds once as well");
  check(result(0, dvd, 1, 3, 0) == third && result(2, dvd, 1, 3, 0) == nextafter(third, 1) &&
            result(1, dvd, 1, 3, 0) == third && result(3, dvd, 1, 3, 0) == third,
        "1/3: nearest and downward agree, upward is one ulp above");
  check(result(2, root, 2, 0, 0) == nextafter(result(1, root, 2, 0, 0), 2), "sqrt(2) upward is one ulp above downward");
  check(result(0, add, 1, tie, 0) == 1 && result(2, add, 1, tie, 0) == 1 + ulp1, "1 + 2^-53: ties to even, upward rounds up");
  double z = result(1, sub, 1, 1, 0);
  check(z == 0 && signbit(z), "1 - 1 rounded downward is -0");
  z = result(0, sub, 1, 1, 0);
  check(z == 0 && !signbit(z), "1 - 1 to nearest is +0");
  check(result(3, mul, DBL_MAX, 2, 0) == DBL_MAX && isinf(result(0, mul, DBL_MAX, 2, 0)),
        "overflow: +inf to nearest, DBL_MAX toward zero");
  check(result(2, mul, -DBL_MAX, 2, 0) == -DBL_MAX && result(1, mul, -DBL_MAX, 2, 0) == -INFINITY,
        "negative overflow: -DBL_MAX upward, -inf downward");
  check(result(0, mul, 0x1p-1074, 0.5, 0) == 0 && result(2, mul, 0x1p-1074, 0.5, 0) == 0x1p-1074,
        "half the smallest subnormal: 0 to nearest (even), the subnormal upward");
  check(result(0, from_i64_odd, 0, 0, 0) == 0x1p53 && result(2, from_i64_odd, 0, 0, 0) == 0x1p53 + 2,
        "(double)(2^53+1): 2^53 to nearest, 2^53+2 upward");
  check(result(1, parse_tenth, 0, 0, 0) == nextafter(0.1, 0) && result(0, parse_tenth, 0, 0, 0) == 0.1,
        "strtod(\"0.1\") follows the rounding mode");
  check(llrint_in(0, 2.5) == 2 && llrint_in(1, 2.5) == 2 && llrint_in(2, 2.5) == 3 && llrint_in(3, 2.5) == 2 &&
            llrint_in(1, -2.5) == -3,
        "llrint(2.5) is 2, 2, 3, 2; llrint(-2.5) downward is -3");
  check(flags_of(dvd, 1, 3, 0) == FE_INEXACT, "1/3 raises inexact only");
  check(flags_of(mul, 2, 3, 0) == 0, "2*3 raises nothing");
  check(flags_of(dvd, 1, 0, 0) == FE_DIVBYZERO, "1/0 raises divide-by-zero only");
  check(flags_of(dvd, 0, 0, 0) == FE_INVALID, "0/0 raises invalid only");
  check(flags_of(root, -1, 0, 0) == FE_INVALID, "sqrt(-1) raises invalid");
  check(flags_of(mul, DBL_MAX, 2, 0) == (FE_OVERFLOW | FE_INEXACT), "DBL_MAX*2 raises overflow and inexact");
  check(flags_of(mul, 0x1p-1074, 0.5, 0) == (FE_UNDERFLOW | FE_INEXACT), "DBL_TRUE_MIN/2 raises underflow and inexact");
  check(flags_of(mul, DBL_MIN, 0x1p-10, 0) == 0, "an exact subnormal result raises nothing");
  check(flags_of(mul, DBL_MIN, 1 - tie, 0) == (FE_UNDERFLOW | FE_INEXACT),
        "DBL_MIN*(1-2^-53) rounds to DBL_MIN yet is tiny: underflow and inexact");
  check(flags_of(to_float, 1e39, 0, 0) == (FE_OVERFLOW | FE_INEXACT), "(float)1e39 raises overflow and inexact");
  return tap_end();
}
