/*
 * F/D test vectors from an independent reference: this program runs under
 * qemu-riscv64 (whose FPU is Berkeley-SoftFloat-exact) and executes every
 * F/D computational instruction on corner-case and random operands in every
 * rounding mode, recording the result register (all 64 bits, so NaN-boxing
 * shows) and fflags.
 *
 * Build and run: test/kernel/cpu/gen/build.sh. Output (stdout, binary,
 * little-endian), a sequence of groups:
 *   u8 nameLen, name (the mnemonic), u8 kind, u8 rm, u32 count,
 *   then count records: inputs (u64 each; the number depends on kind),
 *   result (u64), fflags (u8).
 * kind: 0 f=op(f,f)  1 f=op(f)  2 f=op(f,f,f)  3 x=op(f,f)  4 x=op(f)  5 f=op(x)
 * FP inputs are whole 64-bit registers (set with fmv.d.x), so single-
 * precision operations also see improperly NaN-boxed inputs. rm 7 marks an
 * instruction without a rounding mode (recorded once).
 */
#include <stdint.h>
#include <string.h>
#include <unistd.h>

typedef void (*fn_t)(const uint64_t *in, uint64_t *out, uint64_t *flags);

#define FF2(name, insn)                                                                                  \
  static void name(const uint64_t *in, uint64_t *out, uint64_t *flags) {                                \
    uint64_t r, f;                                                                                       \
    __asm__ volatile("fmv.d.x ft0, %2\n\tfmv.d.x ft1, %3\n\tfsflags zero\n\t" insn " ft2, ft0, ft1\n\t" \
                     "frflags %1\n\tfmv.x.d %0, ft2"                                                     \
                     : "=&r"(r), "=&r"(f)                                                                \
                     : "r"(in[0]), "r"(in[1])                                                            \
                     : "ft0", "ft1", "ft2");                                                             \
    *out = r;                                                                                            \
    *flags = f;                                                                                          \
  }
#define FF1(name, insn)                                                                                          \
  static void name(const uint64_t *in, uint64_t *out, uint64_t *flags) {                                        \
    uint64_t r, f;                                                                                               \
    __asm__ volatile("fmv.d.x ft0, %2\n\tfsflags zero\n\t" insn " ft2, ft0\n\tfrflags %1\n\tfmv.x.d %0, ft2" \
                     : "=&r"(r), "=&r"(f)                                                                        \
                     : "r"(in[0])                                                                                \
                     : "ft0", "ft2");                                                                            \
    *out = r;                                                                                                    \
    *flags = f;                                                                                                  \
  }
#define FF3(name, insn)                                                                                             \
  static void name(const uint64_t *in, uint64_t *out, uint64_t *flags) {                                           \
    uint64_t r, f;                                                                                                  \
    __asm__ volatile("fmv.d.x ft0, %2\n\tfmv.d.x ft1, %3\n\tfmv.d.x ft3, %4\n\tfsflags zero\n\t" insn              \
                     " ft2, ft0, ft1, ft3\n\tfrflags %1\n\tfmv.x.d %0, ft2"                                         \
                     : "=&r"(r), "=&r"(f)                                                                           \
                     : "r"(in[0]), "r"(in[1]), "r"(in[2])                                                           \
                     : "ft0", "ft1", "ft2", "ft3");                                                                 \
    *out = r;                                                                                                       \
    *flags = f;                                                                                                     \
  }
#define XF2(name, insn)                                                                                           \
  static void name(const uint64_t *in, uint64_t *out, uint64_t *flags) {                                         \
    uint64_t r, f;                                                                                                \
    __asm__ volatile("fmv.d.x ft0, %2\n\tfmv.d.x ft1, %3\n\tfsflags zero\n\t" insn " %0, ft0, ft1\n\tfrflags %1" \
                     : "=&r"(r), "=&r"(f)                                                                         \
                     : "r"(in[0]), "r"(in[1])                                                                     \
                     : "ft0", "ft1");                                                                             \
    *out = r;                                                                                                     \
    *flags = f;                                                                                                   \
  }
#define XF1(name, insn)                                                                          \
  static void name(const uint64_t *in, uint64_t *out, uint64_t *flags) {                        \
    uint64_t r, f;                                                                               \
    __asm__ volatile("fmv.d.x ft0, %2\n\tfsflags zero\n\t" insn " %0, ft0\n\tfrflags %1"        \
                     : "=&r"(r), "=&r"(f)                                                        \
                     : "r"(in[0])                                                                \
                     : "ft0");                                                                   \
    *out = r;                                                                                    \
    *flags = f;                                                                                  \
  }
#define FX1(name, insn)                                                                          \
  static void name(const uint64_t *in, uint64_t *out, uint64_t *flags) {                        \
    uint64_t r, f;                                                                               \
    __asm__ volatile("fsflags zero\n\t" insn " ft2, %2\n\tfrflags %1\n\tfmv.x.d %0, ft2"        \
                     : "=&r"(r), "=&r"(f)                                                        \
                     : "r"(in[0])                                                                \
                     : "ft2");                                                                   \
    *out = r;                                                                                    \
    *flags = f;                                                                                  \
  }

FF2(fadd_d, "fadd.d") FF2(fsub_d, "fsub.d") FF2(fmul_d, "fmul.d") FF2(fdiv_d, "fdiv.d")
FF2(fadd_s, "fadd.s") FF2(fsub_s, "fsub.s") FF2(fmul_s, "fmul.s") FF2(fdiv_s, "fdiv.s")
FF2(fmin_d, "fmin.d") FF2(fmax_d, "fmax.d") FF2(fmin_s, "fmin.s") FF2(fmax_s, "fmax.s")
FF2(fsgnj_d, "fsgnj.d") FF2(fsgnjn_d, "fsgnjn.d") FF2(fsgnjx_d, "fsgnjx.d")
FF2(fsgnj_s, "fsgnj.s") FF2(fsgnjn_s, "fsgnjn.s") FF2(fsgnjx_s, "fsgnjx.s")
FF1(fsqrt_d, "fsqrt.d") FF1(fsqrt_s, "fsqrt.s") FF1(fcvt_s_d, "fcvt.s.d") FF1(fcvt_d_s, "fcvt.d.s")
FF3(fmadd_d, "fmadd.d") FF3(fmsub_d, "fmsub.d") FF3(fnmsub_d, "fnmsub.d") FF3(fnmadd_d, "fnmadd.d")
FF3(fmadd_s, "fmadd.s") FF3(fmsub_s, "fmsub.s") FF3(fnmsub_s, "fnmsub.s") FF3(fnmadd_s, "fnmadd.s")
XF2(feq_d, "feq.d") XF2(flt_d, "flt.d") XF2(fle_d, "fle.d")
XF2(feq_s, "feq.s") XF2(flt_s, "flt.s") XF2(fle_s, "fle.s")
XF1(fclass_d, "fclass.d") XF1(fclass_s, "fclass.s") XF1(fmv_x_d, "fmv.x.d") XF1(fmv_x_w, "fmv.x.w")
XF1(fcvt_w_d, "fcvt.w.d") XF1(fcvt_wu_d, "fcvt.wu.d") XF1(fcvt_l_d, "fcvt.l.d") XF1(fcvt_lu_d, "fcvt.lu.d")
XF1(fcvt_w_s, "fcvt.w.s") XF1(fcvt_wu_s, "fcvt.wu.s") XF1(fcvt_l_s, "fcvt.l.s") XF1(fcvt_lu_s, "fcvt.lu.s")
FX1(fcvt_d_w, "fcvt.d.w") FX1(fcvt_d_wu, "fcvt.d.wu") FX1(fcvt_d_l, "fcvt.d.l") FX1(fcvt_d_lu, "fcvt.d.lu")
FX1(fcvt_s_w, "fcvt.s.w") FX1(fcvt_s_wu, "fcvt.s.wu") FX1(fcvt_s_l, "fcvt.s.l") FX1(fcvt_s_lu, "fcvt.s.lu")
FX1(fmv_d_x, "fmv.d.x") FX1(fmv_w_x, "fmv.w.x")

enum { K_FF2, K_FF1, K_FF3, K_XF2, K_XF1, K_FX1 };
/* What operands an instruction wants: D or S floats, or integers. */
enum { T_D, T_S, T_I };

struct op {
  const char *name;
  fn_t fn;
  int kind;
  int type;     /* operand type */
  int rounds;   /* 1: run in all five rounding modes */
  int count;    /* random vectors per rounding mode */
};

static const struct op ops[] = {
    {"fadd.d", fadd_d, K_FF2, T_D, 1, 700},       {"fsub.d", fsub_d, K_FF2, T_D, 1, 500},
    {"fmul.d", fmul_d, K_FF2, T_D, 1, 700},       {"fdiv.d", fdiv_d, K_FF2, T_D, 1, 600},
    {"fadd.s", fadd_s, K_FF2, T_S, 1, 600},       {"fsub.s", fsub_s, K_FF2, T_S, 1, 400},
    {"fmul.s", fmul_s, K_FF2, T_S, 1, 600},       {"fdiv.s", fdiv_s, K_FF2, T_S, 1, 500},
    {"fsqrt.d", fsqrt_d, K_FF1, T_D, 1, 500},     {"fsqrt.s", fsqrt_s, K_FF1, T_S, 1, 500},
    {"fmadd.d", fmadd_d, K_FF3, T_D, 1, 900},     {"fmsub.d", fmsub_d, K_FF3, T_D, 1, 300},
    {"fnmsub.d", fnmsub_d, K_FF3, T_D, 1, 300},   {"fnmadd.d", fnmadd_d, K_FF3, T_D, 1, 300},
    {"fmadd.s", fmadd_s, K_FF3, T_S, 1, 800},     {"fmsub.s", fmsub_s, K_FF3, T_S, 1, 300},
    {"fnmsub.s", fnmsub_s, K_FF3, T_S, 1, 300},   {"fnmadd.s", fnmadd_s, K_FF3, T_S, 1, 300},
    {"fcvt.s.d", fcvt_s_d, K_FF1, T_D, 1, 500},   {"fcvt.d.s", fcvt_d_s, K_FF1, T_S, 1, 100},
    {"fcvt.w.d", fcvt_w_d, K_XF1, T_D, 1, 300},   {"fcvt.wu.d", fcvt_wu_d, K_XF1, T_D, 1, 300},
    {"fcvt.l.d", fcvt_l_d, K_XF1, T_D, 1, 300},   {"fcvt.lu.d", fcvt_lu_d, K_XF1, T_D, 1, 300},
    {"fcvt.w.s", fcvt_w_s, K_XF1, T_S, 1, 300},   {"fcvt.wu.s", fcvt_wu_s, K_XF1, T_S, 1, 300},
    {"fcvt.l.s", fcvt_l_s, K_XF1, T_S, 1, 300},   {"fcvt.lu.s", fcvt_lu_s, K_XF1, T_S, 1, 300},
    {"fcvt.d.w", fcvt_d_w, K_FX1, T_I, 1, 100},   {"fcvt.d.wu", fcvt_d_wu, K_FX1, T_I, 1, 100},
    {"fcvt.d.l", fcvt_d_l, K_FX1, T_I, 1, 400},   {"fcvt.d.lu", fcvt_d_lu, K_FX1, T_I, 1, 400},
    {"fcvt.s.w", fcvt_s_w, K_FX1, T_I, 1, 300},   {"fcvt.s.wu", fcvt_s_wu, K_FX1, T_I, 1, 300},
    {"fcvt.s.l", fcvt_s_l, K_FX1, T_I, 1, 400},   {"fcvt.s.lu", fcvt_s_lu, K_FX1, T_I, 1, 400},
    {"fmin.d", fmin_d, K_FF2, T_D, 0, 600},       {"fmax.d", fmax_d, K_FF2, T_D, 0, 600},
    {"fmin.s", fmin_s, K_FF2, T_S, 0, 600},       {"fmax.s", fmax_s, K_FF2, T_S, 0, 600},
    {"fsgnj.d", fsgnj_d, K_FF2, T_D, 0, 200},     {"fsgnjn.d", fsgnjn_d, K_FF2, T_D, 0, 200},
    {"fsgnjx.d", fsgnjx_d, K_FF2, T_D, 0, 200},   {"fsgnj.s", fsgnj_s, K_FF2, T_S, 0, 300},
    {"fsgnjn.s", fsgnjn_s, K_FF2, T_S, 0, 300},   {"fsgnjx.s", fsgnjx_s, K_FF2, T_S, 0, 300},
    {"feq.d", feq_d, K_XF2, T_D, 0, 500},         {"flt.d", flt_d, K_XF2, T_D, 0, 500},
    {"fle.d", fle_d, K_XF2, T_D, 0, 500},         {"feq.s", feq_s, K_XF2, T_S, 0, 500},
    {"flt.s", flt_s, K_XF2, T_S, 0, 500},         {"fle.s", fle_s, K_XF2, T_S, 0, 500},
    {"fclass.d", fclass_d, K_XF1, T_D, 0, 300},   {"fclass.s", fclass_s, K_XF1, T_S, 0, 300},
    {"fmv.x.d", fmv_x_d, K_XF1, T_D, 0, 50},      {"fmv.x.w", fmv_x_w, K_XF1, T_S, 0, 100},
    {"fmv.d.x", fmv_d_x, K_FX1, T_I, 0, 50},      {"fmv.w.x", fmv_w_x, K_FX1, T_I, 0, 50},
};

/* ---- operands ---------------------------------------------------------- */

static uint64_t state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void) { /* splitmix64 */
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
static unsigned below(unsigned n) { return (unsigned)(rnd() % n); }

static const uint64_t special_d[] = {
    0x0000000000000000, 0x8000000000000000, 0x0000000000000001, 0x8000000000000001, 0x000fffffffffffff,
    0x800fffffffffffff, 0x0010000000000000, 0x8010000000000000, 0x0010000000000001, 0x0008000000000000,
    0x7fefffffffffffff, 0xffefffffffffffff, 0x7fe0000000000000, 0x3ff0000000000000, 0xbff0000000000000,
    0x3ff0000000000001, 0x3fefffffffffffff, 0x4000000000000000, 0x3fe0000000000000, 0x3ff8000000000000,
    0x4004000000000000, 0xc004000000000000, 0x3fe8000000000000, 0xbfe0000000000000, 0x3fb999999999999a,
    0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000, 0xfff8000000000000, 0x7ff0000000000001,
    0x7ff4000000000000, 0x7ff8000000000001, 0xfff0000000000001, 0x4330000000000000, 0x4340000000000000,
    0x433fffffffffffff, 0x43e0000000000000, 0xc3e0000000000000, 0x43dfffffffffffff, 0x43f0000000000000,
    0x43efffffffffffff, 0x41e0000000000000, 0xc1e0000000000000, 0x41dfffffffc00000, 0x41dfffffffe00000,
    0xc1e0000000200000, 0x41f0000000000000, 0x41efffffffe00000, 0x3ca0000000000000, 0x36a0000000000000,
    0x47efffffe0000000, 0x47effffff0000000, 0x3810000000000000, 0x380fffffe0000000, 0x380ffffff0000000,
    0x36a0000000000001, 0x3690000000000000,
};
#define N_SPECIAL_D (sizeof special_d / sizeof special_d[0])

static const uint32_t special_s[] = {
    0x00000000, 0x80000000, 0x00000001, 0x80000001, 0x007fffff, 0x807fffff, 0x00800000, 0x80800000,
    0x00800001, 0x00400000, 0x7f7fffff, 0xff7fffff, 0x7f000000, 0x3f800000, 0xbf800000, 0x3f800001,
    0x3f7fffff, 0x40000000, 0x3f000000, 0x3fc00000, 0x40200000, 0xc0200000, 0x3f400000, 0xbf000000,
    0x3dcccccd, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7f800001, 0x7fa00000, 0x7fc00001,
    0xff800001, 0x4b000000, 0x4b800000, 0x4effffff, 0x4f000000, 0xcf000000, 0x4f800000, 0x4f7fffff,
    0x5effffff, 0x5f000000, 0xdf000000, 0x5f800000, 0x5f7fffff, 0x33800000, 0x0c800000,
};
#define N_SPECIAL_S (sizeof special_s / sizeof special_s[0])

static uint64_t box(uint32_t v) { return 0xffffffff00000000ull | v; }

/* A double of a chosen flavour. */
static uint64_t gen_d(void) {
  uint64_t sign = (rnd() & 1) << 63;
  uint64_t mant = rnd() & 0xfffffffffffffull;
  switch (below(10)) {
    case 0:
      return rnd(); /* anything, NaNs and all */
    case 1:
      return special_d[below(N_SPECIAL_D)];
    case 2: /* near the bottom of the range */
      return sign | ((uint64_t)below(60) << 52) | mant;
    case 3: /* near the top */
      return sign | ((uint64_t)(2046 - below(60)) << 52) | mant;
    case 4: { /* few significant bits: exact results and ties */
      unsigned keep = below(12);
      mant &= ~((1ull << (52 - keep)) - 1);
      return sign | ((uint64_t)(1023 + (int)below(120) - 60) << 52) | mant;
    }
    case 5: { /* integers and halves around the conversion bounds */
      static const int exps[] = {0, 1, 30, 31, 32, 52, 53, 62, 63, 64};
      int e = exps[below(10)];
      int frac = 52 - (e + 1); /* fraction bits below the halves */
      if (frac > 0 && below(3) != 0) mant &= ~((1ull << frac) - 1);
      return sign | ((uint64_t)(1023 + e) << 52) | mant;
    }
    default:
      return sign | ((uint64_t)(1023 + (int)below(40) - 20) << 52) | mant;
  }
}

static uint64_t gen_s(void) {
  uint32_t sign = (uint32_t)(rnd() & 1) << 31;
  uint32_t mant = (uint32_t)rnd() & 0x7fffff;
  uint32_t v;
  switch (below(11)) {
    case 0:
      v = (uint32_t)rnd();
      break;
    case 1:
      v = special_s[below(N_SPECIAL_S)];
      break;
    case 2:
      v = sign | ((uint32_t)below(30) << 23) | mant;
      break;
    case 3:
      v = sign | ((uint32_t)(254 - below(30)) << 23) | mant;
      break;
    case 4: {
      unsigned keep = below(8);
      mant &= ~((1u << (23 - keep)) - 1);
      v = sign | ((uint32_t)(127 + (int)below(60) - 30) << 23) | mant;
      break;
    }
    case 5: {
      static const int exps[] = {0, 1, 22, 23, 24, 30, 31, 32, 62, 63, 64};
      v = sign | ((uint32_t)(127 + exps[below(11)]) << 23) | (below(2) ? mant : mant & 0x7ff000);
      break;
    }
    case 6: /* improperly NaN-boxed */
      return rnd() & 0x7fffffffffffffffull;
    default:
      v = sign | ((uint32_t)(127 + (int)below(30) - 15) << 23) | mant;
  }
  return box(v);
}

static uint64_t gen_i(void) {
  switch (below(8)) {
    case 0:
      return rnd();
    case 1:
      return rnd() & 0xffffffffull;
    case 2:
      return (uint64_t)(int64_t)(int32_t)rnd();
    case 3: /* few bits: exact conversions, ties */
      return (rnd() & 0xfff0000000000000ull) >> below(64);
    case 4: /* around 2^24 and 2^53 (exactness bounds) */
      return (1ull << (below(2) ? 24 : 53)) + (rnd() & 7) - 4;
    case 5:
      return (uint64_t)(-(int64_t)(rnd() >> below(64)));
    case 6:
      return (uint64_t)below(100) - 50;
    default:
      return rnd() >> below(64);
  }
}

static uint64_t gen(int type) { return type == T_D ? gen_d() : type == T_S ? gen_s() : gen_i(); }

/* Second/third operands related to the first: cancellation, ties, thresholds. */
static uint64_t related(int type, uint64_t a) {
  if (type == T_I) return gen_i();
  if (type == T_D) {
    switch (below(5)) {
      case 0: return a ^ 0x8000000000000000ull;                             /* -a */
      case 1: return (a ^ 0x8000000000000000ull) + below(5) - 2;            /* -a ± ulps */
      case 2: return (a & 0xfff0000000000000ull) - (53ull << 52) + (rnd() & 0x000fffffffffffffull) * (below(2)); /* half-ulp scale */
      case 3: return a + below(9) - 4;
      default: return (a & 0x8000000000000000ull) | ((uint64_t)(2046 - ((a >> 52) & 0x7ff) + below(5) - 2) << 52) | (rnd() & 0xfffffffffffffull); /* reciprocal scale */
    }
  }
  uint32_t v = (uint32_t)a;
  switch (below(5)) {
    case 0: return box(v ^ 0x80000000u);
    case 1: return box((v ^ 0x80000000u) + below(5) - 2);
    case 2: return box(((v & 0xff800000u) - (24u << 23)) + ((uint32_t)rnd() & 0x7fffff) * below(2));
    case 3: return box(v + below(9) - 4);
    default: return box((v & 0x80000000u) | ((uint32_t)(254 - ((v >> 23) & 0xff) + below(5) - 2) << 23) | ((uint32_t)rnd() & 0x7fffff));
  }
}

/* ---- output -------------------------------------------------------------- */

static unsigned char buf[1 << 16];
static unsigned used;
static void flush(void) {
  unsigned done = 0;
  while (done < used) {
    long n = write(1, buf + done, used - done);
    if (n <= 0) _exit(1);
    done += (unsigned)n;
  }
  used = 0;
}
static void put(const void *p, unsigned n) {
  if (used + n > sizeof buf) flush();
  memcpy(buf + used, p, n);
  used += n;
}
static void put64(uint64_t v) { put(&v, 8); }

static int arity(int kind) { return kind == K_FF3 ? 3 : (kind == K_FF2 || kind == K_XF2) ? 2 : 1; }

static void record(const struct op *o, const uint64_t *in) {
  uint64_t out, flags;
  o->fn(in, &out, &flags);
  for (int i = 0; i < arity(o->kind); i++) put64(in[i]);
  put64(out);
  unsigned char f = (unsigned char)flags;
  put(&f, 1);
}

static void group(const struct op *o, int rm) {
  unsigned char len = (unsigned char)strlen(o->name);
  put(&len, 1);
  put(o->name, len);
  unsigned char k = (unsigned char)o->kind, r = (unsigned char)rm;
  put(&k, 1);
  put(&r, 1);
  int n = arity(o->kind);
  /* Corner cases: the special values (paired with a shortened list for two operands), then random. */
  unsigned nspecial = o->type == T_D ? N_SPECIAL_D : o->type == T_S ? N_SPECIAL_S : 0;
  unsigned pairs = n == 1 ? nspecial : n == 2 ? 24 * 24 : 200;
  uint32_t count = (uint32_t)(pairs + (unsigned)o->count);
  put(&count, 4);
  __asm__ volatile("fsrm %0" ::"r"(rm == 7 ? 0 : rm));
  uint64_t in[3];
  for (unsigned i = 0; i < pairs; i++) {
    for (int j = 0; j < n; j++) {
      unsigned idx = n == 1 ? i : n == 2 ? (j == 0 ? i / 24 : i % 24) * (nspecial / 24) : below(nspecial);
      in[j] = o->type == T_D ? special_d[idx % N_SPECIAL_D] : box(special_s[idx % N_SPECIAL_S]);
    }
    record(o, in);
  }
  for (int i = 0; i < o->count; i++) {
    in[0] = gen(o->type);
    for (int j = 1; j < n; j++) in[j] = below(2) ? related(o->type, in[0]) : gen(o->type);
    if (o->kind == K_FF3 && below(3) == 0) {
      /* fma: an addend that cancels the product (computed in the same precision). */
      uint64_t p, f;
      uint64_t pin[2] = {in[0], in[1]};
      (o->type == T_D ? fmul_d : fmul_s)(pin, &p, &f);
      in[2] = (p ^ (o->type == T_D ? 0x8000000000000000ull : 0x80000000ull)) + below(5) - 2;
    }
    record(o, in);
  }
}

int main(void) {
  for (unsigned i = 0; i < sizeof ops / sizeof ops[0]; i++) {
    if (ops[i].rounds)
      for (int rm = 0; rm <= 4; rm++) group(&ops[i], rm);
    else
      group(&ops[i], 7);
  }
  flush();
  return 0;
}
