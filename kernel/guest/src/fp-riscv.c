/* fp-riscv: what the RISC-V F and D extensions define beyond IEEE 754.
 *
 * The canonical NaN (no payload propagation), NaN-boxing of single values in
 * 64-bit registers (and what an improperly boxed input means), fclass,
 * saturating float-to-integer conversions and their flags, the fifth
 * rounding mode (RMM, ties away from zero) statically and through frm, a
 * reserved rounding mode (SIGILL), fmin/fmax (signed zeros, quiet and
 * signalling NaNs), quiet and signalling comparisons, sign injection (which
 * keeps payloads), the fused multiply-add family's signs and invalid cases,
 * and the fcsr/frm/fflags CSRs. Every instruction is written in inline
 * assembly; the expected bit patterns come from the ISA manual (chapters F,
 * D and Zicsr) and are checked here; qemu agrees.
 */
#include "tap.h"

#include <setjmp.h>
#include <signal.h>
#include <stdint.h>

static uint64_t bits(double d) {
  uint64_t u;
  memcpy(&u, &d, 8);
  return u;
}

static double from_bits(uint64_t u) {
  double d;
  memcpy(&d, &u, 8);
  return d;
}

static void clear_flags(void) { __asm__ volatile("fsflags zero"); }

static long flags(void) {
  long f;
  __asm__ volatile("frflags %0" : "=r"(f));
  return f;
}

enum { NX = 1, UF = 2, OF = 4, DZ = 8, NV = 16 };

static void expect_bits(const char *what, uint64_t got, uint64_t want, long got_flags, long want_flags) {
  int pass = got == want && got_flags == want_flags;
  check(pass, "%-40s -> 0x%016llx flags %02lx", what, (unsigned long long)want, want_flags);
  if (!pass) printf("# got 0x%016llx flags %02lx\n", (unsigned long long)got, got_flags);
}

/* A double-precision operation on raw bits; returns the raw result. */
#define D2(insn, a, b)                                                                              \
  ({                                                                                                \
    double r_;                                                                                      \
    __asm__ volatile(insn " %0, %1, %2" : "=f"(r_) : "f"(from_bits(a)), "f"(from_bits(b)));         \
    bits(r_);                                                                                       \
  })

#define D3(insn, a, b, c)                                                                           \
  ({                                                                                                \
    double r_;                                                                                      \
    __asm__ volatile(insn " %0, %1, %2, %3"                                                         \
                     : "=f"(r_)                                                                     \
                     : "f"(from_bits(a)), "f"(from_bits(b)), "f"(from_bits(c)));                    \
    bits(r_);                                                                                       \
  })

/* The same with a static rounding mode. */
#define D2RM(insn, a, b, rm)                                                                        \
  ({                                                                                                \
    double r_;                                                                                      \
    __asm__ volatile(insn " %0, %1, %2, " #rm : "=f"(r_) : "f"(from_bits(a)), "f"(from_bits(b)));   \
    bits(r_);                                                                                       \
  })

/* An operation whose result lands in an integer register. */
#define TOX(insn, a)                                                                                \
  ({                                                                                                \
    long r_;                                                                                        \
    __asm__ volatile(insn : "=r"(r_) : "f"(from_bits(a)));                                          \
    r_;                                                                                             \
  })

#define CMP(insn, a, b)                                                                             \
  ({                                                                                                \
    long r_;                                                                                        \
    __asm__ volatile(insn " %0, %1, %2" : "=r"(r_) : "f"(from_bits(a)), "f"(from_bits(b)));         \
    r_;                                                                                             \
  })

static const uint64_t ONE = 0x3ff0000000000000, TWO = 0x4000000000000000, THREE = 0x4008000000000000;
static const uint64_t PZERO = 0, NZERO = 0x8000000000000000, PINF = 0x7ff0000000000000, NINF = 0xfff0000000000000;
static const uint64_t QNAN = 0x7ff8000000000000, QNAN_PAYLOAD = 0x7ff8000000000123, SNAN = 0x7ff0000000000001;
static const uint64_t NEG_QNAN_PAYLOAD = 0xfff8000000000123;
static const uint64_t BOXED_ONE_F = 0xffffffff3f800000, UNBOXED_ONE_F = 0x000000003f800000;
static const uint64_t BOXED_QNAN_F = 0xffffffff7fc00000;

static sigjmp_buf on_sigill;
static volatile int sigills;
static void sigill(int sig) {
  (void)sig;
  sigills++;
  siglongjmp(on_sigill, 1);
}

int main(void) {
  tap_begin("fp-riscv");
  long f;

  /* The canonical NaN: payloads never propagate through arithmetic. */
  clear_flags();
  expect_bits("fdiv.d 0/0", D2("fdiv.d", PZERO, PZERO), QNAN, flags(), NV);
  clear_flags();
  expect_bits("fsqrt.d -1", ({ double r; __asm__ volatile("fsqrt.d %0, %1" : "=f"(r) : "f"(-1.0)); bits(r); }), QNAN,
              flags(), NV);
  clear_flags();
  expect_bits("fadd.d qNaN(payload 0x123) + 1", D2("fadd.d", QNAN_PAYLOAD, ONE), QNAN, flags(), 0);
  clear_flags();
  expect_bits("fadd.d -qNaN(payload) + 1", D2("fadd.d", NEG_QNAN_PAYLOAD, ONE), QNAN, flags(), 0);
  clear_flags();
  expect_bits("fmul.d sNaN * 1", D2("fmul.d", SNAN, ONE), QNAN, flags(), NV);
  clear_flags();
  expect_bits("fdiv.s 0/0 (NaN-boxed)", D2("fdiv.s", 0xffffffff00000000, 0xffffffff00000000), BOXED_QNAN_F, flags(), NV);

  /* NaN-boxing. */
  uint64_t boxed;
  __asm__ volatile("fmv.w.x ft0, %1\n\tfmv.x.d %0, ft0" : "=r"(boxed) : "r"(0x3f800000L) : "ft0");
  expect_bits("fmv.w.x 1.0f, read back as 64 bits", boxed, BOXED_ONE_F, 0, 0);
  float one_f = 1.0f;
  __asm__ volatile("flw ft0, 0(%1)\n\tfmv.x.d %0, ft0" : "=r"(boxed) : "r"(&one_f) : "ft0");
  expect_bits("flw 1.0f, read back as 64 bits", boxed, BOXED_ONE_F, 0, 0);
  clear_flags();
  expect_bits("fadd.s of an improperly boxed 1.0f", D2("fadd.s", UNBOXED_ONE_F, UNBOXED_ONE_F), BOXED_QNAN_F, flags(), 0);
  expect_bits("fsgnj.s (fmv.s) of an improperly boxed 1.0f", D2("fsgnj.s", UNBOXED_ONE_F, UNBOXED_ONE_F), BOXED_QNAN_F, 0, 0);
  long low;
  __asm__ volatile("fmv.d.x ft0, %1\n\tfmv.x.w %0, ft0" : "=r"(low) : "r"(UNBOXED_ONE_F) : "ft0");
  expect_bits("fmv.x.w of it moves the low 32 bits unchecked", (uint64_t)low, 0x3f800000, 0, 0);
  uint32_t stored = 0;
  __asm__ volatile("fmv.d.x ft0, %1\n\tfsw ft0, 0(%0)" ::"r"(&stored), "r"(0x12345678bf800000) : "ft0", "memory");
  expect_bits("fsw of an improperly boxed value stores its low bits", stored, 0xbf800000, 0, 0);
  __asm__ volatile("fmv.w.x ft0, %1\n\tfmv.x.w %0, ft0" : "=r"(low) : "r"(0xbf800000L) : "ft0");
  expect_bits("fmv.x.w sign-extends -1.0f", (uint64_t)low, 0xffffffffbf800000, 0, 0);
  clear_flags();
  uint64_t narrowed;
  __asm__ volatile("fcvt.s.d ft0, %1\n\tfmv.x.d %0, ft0" : "=r"(narrowed) : "f"(from_bits(SNAN)) : "ft0");
  expect_bits("fcvt.s.d sNaN", narrowed, BOXED_QNAN_F, flags(), NV);

  /* fclass.d: one bit per class. */
  const uint64_t classes[10] = {NINF, 0xbff0000000000000, 0x800fffffffffffff, NZERO, PZERO,
                                0x000fffffffffffff, ONE, PINF, SNAN, QNAN};
  int all_classes = 1;
  for (int i = 0; i < 10; i++) all_classes &= TOX("fclass.d %0, %1", classes[i]) == 1L << i;
  check(all_classes, "fclass.d: -inf, -normal, -subnormal, -0, +0, +subnormal, +normal, +inf, sNaN, qNaN are bits 0-9");
  check_eq(TOX("fclass.s %0, %1", 0xffffffff7f800001), 1 << 8, "fclass.s of a boxed float sNaN is bit 8");
  check_eq(TOX("fclass.s %0, %1", UNBOXED_ONE_F), 1 << 9, "fclass.s of an improperly boxed value is a qNaN (bit 9)");

  /* Float to integer: saturation, and the invalid flag. */
  clear_flags();
  expect_bits("fcvt.w.d NaN", TOX("fcvt.w.d %0, %1, rtz", QNAN), 0x7fffffff, flags(), NV);
  clear_flags();
  expect_bits("fcvt.w.d +inf", TOX("fcvt.w.d %0, %1, rtz", PINF), 0x7fffffff, flags(), NV);
  clear_flags();
  expect_bits("fcvt.w.d -inf (sign-extended)", TOX("fcvt.w.d %0, %1, rtz", NINF), 0xffffffff80000000, flags(), NV);
  clear_flags();
  expect_bits("fcvt.w.d 3e9", TOX("fcvt.w.d %0, %1, rtz", bits(3e9)), 0x7fffffff, flags(), NV);
  clear_flags();
  expect_bits("fcvt.w.d -1.0 (sign-extended)", TOX("fcvt.w.d %0, %1, rtz", bits(-1.0)), (uint64_t)-1, flags(), 0);
  clear_flags();
  expect_bits("fcvt.wu.d -1.0", TOX("fcvt.wu.d %0, %1, rtz", bits(-1.0)), 0, flags(), NV);
  clear_flags();
  expect_bits("fcvt.wu.d -0.5 (rtz: in range)", TOX("fcvt.wu.d %0, %1, rtz", bits(-0.5)), 0, flags(), NX);
  clear_flags();
  expect_bits("fcvt.wu.d 3e9 (sign-extended)", TOX("fcvt.wu.d %0, %1, rtz", bits(3e9)), 0xffffffffb2d05e00, flags(), 0);
  clear_flags();
  expect_bits("fcvt.wu.d NaN", TOX("fcvt.wu.d %0, %1, rtz", QNAN), (uint64_t)-1, flags(), NV);
  clear_flags();
  expect_bits("fcvt.l.d NaN", TOX("fcvt.l.d %0, %1, rtz", QNAN), 0x7fffffffffffffff, flags(), NV);
  clear_flags();
  expect_bits("fcvt.l.d -1e19", TOX("fcvt.l.d %0, %1, rtz", bits(-1e19)), 0x8000000000000000, flags(), NV);
  clear_flags();
  expect_bits("fcvt.lu.d -inf", TOX("fcvt.lu.d %0, %1, rtz", NINF), 0, flags(), NV);
  clear_flags();
  expect_bits("fcvt.lu.d 1e19", TOX("fcvt.lu.d %0, %1, rtz", bits(1e19)), 10000000000000000000ULL, flags(), 0);
  clear_flags();
  expect_bits("fcvt.w.s of a boxed float NaN", TOX("fcvt.w.s %0, %1, rtz", BOXED_QNAN_F), 0x7fffffff, flags(), NV);

  /* The static rounding modes of a conversion, RMM included. */
  const char *rm_names[5] = {"rne", "rtz", "rdn", "rup", "rmm"};
  long to_int[5][4];
  const double sample[4] = {2.5, -2.5, 3.5, -0.5};
  for (int i = 0; i < 4; i++) {
    uint64_t x = bits(sample[i]);
    to_int[0][i] = TOX("fcvt.l.d %0, %1, rne", x);
    to_int[1][i] = TOX("fcvt.l.d %0, %1, rtz", x);
    to_int[2][i] = TOX("fcvt.l.d %0, %1, rdn", x);
    to_int[3][i] = TOX("fcvt.l.d %0, %1, rup", x);
    to_int[4][i] = TOX("fcvt.l.d %0, %1, rmm", x);
  }
  const long want_int[5][4] = {{2, -2, 4, 0}, {2, -2, 3, 0}, {2, -3, 3, -1}, {3, -2, 4, 0}, {3, -3, 4, -1}};
  for (int m = 0; m < 5; m++)
    check(memcmp(to_int[m], want_int[m], sizeof to_int[m]) == 0, "fcvt.l.d %s of 2.5, -2.5, 3.5, -0.5: %ld %ld %ld %ld",
          rm_names[m], want_int[m][0], want_int[m][1], want_int[m][2], want_int[m][3]);

  /* RMM in arithmetic, statically and through frm. */
  const uint64_t tie = 0x3ca0000000000000; /* 2^-53 */
  expect_bits("fadd.d 1 + 2^-53, rne", D2RM("fadd.d", ONE, tie, rne), ONE, 0, 0);
  expect_bits("fadd.d 1 + 2^-53, rmm", D2RM("fadd.d", ONE, tie, rmm), 0x3ff0000000000001, 0, 0);
  uint64_t neg_tie_rmm = D2RM("fadd.d", 0xbff0000000000000, 0xbca0000000000000, rmm);
  expect_bits("fadd.d -1 - 2^-53, rmm", neg_tie_rmm, 0xbff0000000000001, 0, 0);
  long old_rm;
  __asm__ volatile("fsrmi %0, 4" : "=r"(old_rm));
  check_eq(old_rm, 0, "fsrmi 4 returns the old mode, 0 (rne)");
  uint64_t dyn = D2("fadd.d", ONE, tie);
  long rm_now;
  __asm__ volatile("frrm %0\n\tfsrmi zero, 0" : "=r"(rm_now));
  expect_bits("fadd.d 1 + 2^-53 with frm = 4 (rmm)", dyn, 0x3ff0000000000001, 0, 0);
  check_eq(rm_now, 4, "frrm reads 4");

  /* Reserved rounding modes are illegal instructions. */
  signal(SIGILL, sigill);
  if (sigsetjmp(on_sigill, 1) == 0) {
    __asm__ volatile("fsrmi zero, 5\n\tfadd.d ft0, ft1, ft2" ::: "ft0");
  }
  __asm__ volatile("fsrmi zero, 0");
  check_eq(sigills, 1, "an arithmetic instruction with frm = 5 raises SIGILL");
  if (sigsetjmp(on_sigill, 1) == 0) {
    __asm__ volatile(".insn r 0x53, 6, 1, ft0, ft1, ft2" ::: "ft0"); /* fadd.d with rm = 6 */
  }
  check_eq(sigills, 2, "an instruction with the reserved static mode 6 raises SIGILL");
  signal(SIGILL, SIG_DFL);

  /* fmin / fmax. */
  clear_flags();
  expect_bits("fmin.d -0, +0", D2("fmin.d", NZERO, PZERO), NZERO, flags(), 0);
  expect_bits("fmax.d -0, +0", D2("fmax.d", NZERO, PZERO), PZERO, flags(), 0);
  expect_bits("fmin.d qNaN, 1", D2("fmin.d", QNAN_PAYLOAD, ONE), ONE, flags(), 0);
  clear_flags();
  expect_bits("fmax.d 1, sNaN", D2("fmax.d", ONE, SNAN), ONE, flags(), NV);
  clear_flags();
  expect_bits("fmin.d qNaN, qNaN", D2("fmin.d", QNAN_PAYLOAD, NEG_QNAN_PAYLOAD), QNAN, flags(), 0);
  clear_flags();
  expect_bits("fmax.s -0f, +0f", D2("fmax.s", 0xffffffff80000000, 0xffffffff00000000), 0xffffffff00000000, flags(), 0);

  /* Comparisons: feq is quiet, flt and fle signal on any NaN. */
  clear_flags();
  check(CMP("feq.d", QNAN, QNAN) == 0 && flags() == 0, "feq.d qNaN, qNaN: 0, no flag");
  clear_flags();
  check(CMP("flt.d", QNAN, ONE) == 0 && flags() == NV, "flt.d qNaN, 1: 0, invalid");
  clear_flags();
  check(CMP("fle.d", ONE, QNAN) == 0 && flags() == NV, "fle.d 1, qNaN: 0, invalid");
  clear_flags();
  check(CMP("feq.d", SNAN, ONE) == 0 && flags() == NV, "feq.d sNaN, 1: 0, invalid");
  clear_flags();
  check(CMP("feq.d", NZERO, PZERO) == 1 && CMP("flt.d", NZERO, PZERO) == 0 && CMP("fle.d", PZERO, NZERO) == 1,
        "-0 and +0 are equal");
  check(CMP("flt.d", NINF, bits(-1e308)) == 1 && CMP("fle.d", PINF, PINF) == 1, "infinities order");

  /* Sign injection touches only the sign, even of a NaN. */
  expect_bits("fsgnjn.d (fneg) of qNaN(payload)", D2("fsgnjn.d", QNAN_PAYLOAD, QNAN_PAYLOAD), NEG_QNAN_PAYLOAD, 0, 0);
  expect_bits("fsgnjx.d (fabs) of -qNaN(payload)", D2("fsgnjx.d", NEG_QNAN_PAYLOAD, NEG_QNAN_PAYLOAD), QNAN_PAYLOAD, 0, 0);
  expect_bits("fsgnj.d sNaN, -1 keeps the sNaN", D2("fsgnj.d", SNAN, 0xbff0000000000000), SNAN | NZERO, 0, 0);
  expect_bits("fsgnjx.d -2, -1", D2("fsgnjx.d", 0xc000000000000000, 0xbff0000000000000), TWO, 0, 0);
  uint64_t moved;
  __asm__ volatile("fmv.d.x ft0, %1\n\tfmv.x.d %0, ft0" : "=r"(moved) : "r"(SNAN) : "ft0");
  expect_bits("fmv.d.x / fmv.x.d keep an sNaN", moved, SNAN, 0, 0);

  /* The fused multiply-add family. */
  expect_bits("fmadd.d 2*3 + 1", D3("fmadd.d", TWO, THREE, ONE), bits(7.0), 0, 0);
  expect_bits("fmsub.d 2*3 - 1", D3("fmsub.d", TWO, THREE, ONE), bits(5.0), 0, 0);
  expect_bits("fnmsub.d -(2*3) + 1", D3("fnmsub.d", TWO, THREE, ONE), bits(-5.0), 0, 0);
  expect_bits("fnmadd.d -(2*3) - 1", D3("fnmadd.d", TWO, THREE, ONE), bits(-7.0), 0, 0);
  expect_bits("fnmadd.d -(1*0) - (-0)", D3("fnmadd.d", ONE, PZERO, NZERO), PZERO, 0, 0);
  expect_bits("fmsub.d 1*0 - 0", D3("fmsub.d", ONE, PZERO, PZERO), PZERO, 0, 0);
  expect_bits("fnmsub.d -(1*0) + 0", D3("fnmsub.d", ONE, PZERO, PZERO), PZERO, 0, 0);
  expect_bits("fnmadd.d -(1*0) - 0", D3("fnmadd.d", ONE, PZERO, PZERO), NZERO, 0, 0);
  clear_flags();
  expect_bits("fmadd.d inf*0 + qNaN", D3("fmadd.d", PINF, PZERO, QNAN_PAYLOAD), QNAN, flags(), NV);
  clear_flags();
  expect_bits("fmadd.d 1*1 + sNaN", D3("fmadd.d", ONE, ONE, SNAN), QNAN, flags(), NV);
  clear_flags();
  expect_bits("fmadd.d qNaN*1 + 1", D3("fmadd.d", QNAN_PAYLOAD, ONE, ONE), QNAN, flags(), 0);
  clear_flags();
  expect_bits("fmadd.s 2^-12 * 2^-12 + 1 (rup)",
              ({
                double r;
                __asm__ volatile("fmadd.s %0, %1, %2, %3, rup"
                                 : "=f"(r)
                                 : "f"(from_bits(0xffffffff39800000)), "f"(from_bits(0xffffffff39800000)),
                                   "f"(from_bits(0xffffffff3f800000)));
                bits(r);
              }),
              0xffffffff3f800001, flags(), NX);

  /* The floating-point CSRs. */
  __asm__ volatile("fscsr zero");
  __asm__ volatile("fsflagsi 0x1f");
  check_eq(flags(), 0x1f, "fsflagsi 0x1f sets all five flags");
  long old_csr;
  __asm__ volatile("fscsr %0, %1" : "=r"(old_csr) : "r"(0x61L));
  check_eq(old_csr, 0x1f, "fscsr returns the old fcsr (flags 0x1f, frm 0)");
  long csr, rm;
  __asm__ volatile("frcsr %0\n\tfrrm %1" : "=r"(csr), "=r"(rm));
  check(csr == 0x61 && rm == 3, "fcsr 0x61 is frm 3 (rup) with the NX flag");
  __asm__ volatile("csrw fcsr, %0" ::"r"(-1L));
  __asm__ volatile("csrr %0, fcsr" : "=r"(csr));
  check_eq(csr, 0xff, "fcsr keeps only its 8 defined bits");
  __asm__ volatile("fscsr zero\n\tcsrrsi %0, fflags, 4" : "=r"(f));
  __asm__ volatile("csrr %0, fflags" : "=r"(f));
  check_eq(f, OF, "csrrsi on fflags sets one flag");
  clear_flags();
  D2("fdiv.d", ONE, PZERO);
  D2("fdiv.d", ONE, THREE);
  check_eq(flags(), DZ | NX, "flags accumulate: 1/0 then 1/3 leave DZ and NX");
  __asm__ volatile("fscsr zero");
  return tap_end();
}
