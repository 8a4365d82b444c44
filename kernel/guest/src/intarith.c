/* intarith: the I and M extensions' corner cases, and compressed (C) forms.
 *
 * Division by zero (no trap: quotient all ones, remainder the dividend),
 * overflow (INT64_MIN / -1), the W forms' sign extension, mulh/mulhu/mulhsu,
 * shifts by amounts that must be masked, set-less-than, sign- and
 * zero-extending loads, misaligned loads and stores (which Linux completes
 * for user programs), lui/auipc, and hand-picked compressed instructions,
 * including the stack-pointer forms, and rdtime. Each instruction is written in inline
 * assembly so the compiler cannot fold it; the expected values are computed
 * by hand from the ISA manual.
 */
#include "tap.h"

#include <stdint.h>

#define OP(insn, a, b)                                                              \
  ({                                                                                \
    int64_t r_;                                                                     \
    __asm__ volatile(insn " %0, %1, %2" : "=r"(r_) : "r"((int64_t)(a)), "r"((int64_t)(b))); \
    r_;                                                                             \
  })

#define OPI(insn, a, imm)                                                           \
  ({                                                                                \
    int64_t r_;                                                                     \
    __asm__ volatile(insn " %0, %1, " #imm : "=r"(r_) : "r"((int64_t)(a)));         \
    r_;                                                                             \
  })

static void expect(const char *what, int64_t got, int64_t want) {
  int pass = got == want;
  check(pass, "%-32s = %#llx", what, (unsigned long long)want);
  if (!pass) printf("# got %#llx\n", (unsigned long long)got);
}

#define MIN64 INT64_MIN
#define MIN32 ((int64_t)INT32_MIN)

int main(void) {
  tap_begin("intarith");

  /* Division: no trap, defined results. */
  expect("div 7, 0", OP("div", 7, 0), -1);
  expect("divu 7, 0", OP("divu", 7, 0), -1);
  expect("rem 7, 0", OP("rem", 7, 0), 7);
  expect("remu -7, 0", OP("remu", -7, 0), -7);
  expect("div INT64_MIN, -1", OP("div", MIN64, -1), MIN64);
  expect("rem INT64_MIN, -1", OP("rem", MIN64, -1), 0);
  expect("div -7, 2 (rounds toward 0)", OP("div", -7, 2), -3);
  expect("rem -7, 2 (sign of dividend)", OP("rem", -7, 2), -1);
  expect("rem 7, -2", OP("rem", 7, -2), 1);
  expect("divu -1, 2", OP("divu", -1, 2), INT64_MAX);
  expect("remu -1, 10", OP("remu", -1, 10), 5);
  expect("divw 7, 0", OP("divw", 7, 0), -1);
  expect("divuw 7, 0", OP("divuw", 7, 0), -1);
  expect("remw 0x100000007, 0", OP("remw", 0x100000007LL, 0), 7);
  expect("remuw 0x80000000, 0", OP("remuw", 0x80000000LL, 0), MIN32);
  expect("divw INT32_MIN, -1", OP("divw", MIN32, -1), MIN32);
  expect("remw INT32_MIN, -1", OP("remw", MIN32, -1), 0);
  expect("divw uses the low 32 bits only", OP("divw", 0x1234567800000010LL, 0xff00000004LL), 4);
  expect("divuw 0xffffffff, 1 (sign-extends)", OP("divuw", 0xffffffffLL, 1), -1);
  expect("remuw 0xfffffffe, 0xffffffff", OP("remuw", 0xfffffffeLL, 0xffffffffLL), -2);

  /* Multiplication. */
  expect("mul overflow wraps", OP("mul", INT64_MAX, 2), -2);
  expect("mulh -1, -1", OP("mulh", -1, -1), 0);
  expect("mulh INT64_MIN, INT64_MIN", OP("mulh", MIN64, MIN64), 0x4000000000000000LL);
  expect("mulh INT64_MIN, INT64_MAX", OP("mulh", MIN64, INT64_MAX), (int64_t)0xc000000000000000ULL);
  expect("mulhu -1, -1", OP("mulhu", -1, -1), -2);
  expect("mulhu 2^63, 4", OP("mulhu", MIN64, 4), 2);
  expect("mulhsu -1, 2^64-1", OP("mulhsu", -1, -1), -1);
  expect("mulhsu 2, 2^64-1", OP("mulhsu", 2, -1), 1);
  expect("mulhsu INT64_MIN, 2^64-1", OP("mulhsu", MIN64, -1), MIN64);
  expect("mulw 0x10000, 0x10000 (sign-extends)", OP("mulw", 0x10000, 0x10000), 0);
  expect("mulw 0x40000000, 2", OP("mulw", 0x40000000, 2), MIN32);
  expect("mulw uses the low 32 bits only", OP("mulw", 0x500000003LL, 0x700000005LL), 15);

  /* Shifts: the amount is masked to 6 bits (5 for W forms). */
  expect("sll 1, 65", OP("sll", 1, 65), 2);
  expect("srl -1, 64+60", OP("srl", -1, 124), 0xf);
  expect("sra INT64_MIN, 63", OP("sra", MIN64, 63), -1);
  expect("sllw 1, 31 (sign-extends)", OP("sllw", 1, 31), MIN32);
  expect("sllw 1, 33 (masked to 1)", OP("sllw", 1, 33), 2);
  expect("srlw 0x80000000, 0 (sign-extends)", OP("srlw", 0x80000000LL, 0), MIN32);
  expect("srlw -1, 4", OP("srlw", -1, 4), 0x0fffffff);
  expect("sraw 0x80000000, 4", OP("sraw", 0x80000000LL, 4), (int64_t)(int32_t)0xf8000000);
  expect("srai -16, 2", OPI("srai", -16, 2), -4);
  expect("srli -1, 63", OPI("srli", -1, 63), 1);
  expect("slliw 3, 30 (sign-extends)", OPI("slliw", 3, 30), (int64_t)(int32_t)0xc0000000);
  expect("sraiw 0x7fffffff00000000, 1", OPI("sraiw", 0x7fffffff00000000LL, 1), 0);
  expect("addiw 0x7fffffff, 1 (wraps, sign-extends)", OPI("addiw", 0x7fffffff, 1), MIN32);
  expect("addw 0xffffffff, 0xffffffff", OP("addw", 0xffffffffLL, 0xffffffffLL), -2);
  expect("subw 0, 0x80000000", OP("subw", 0, 0x80000000LL), MIN32);

  /* Comparisons. */
  expect("slt -1, 0", OP("slt", -1, 0), 1);
  expect("sltu -1, 0", OP("sltu", -1, 0), 0);
  expect("slti -5, -4", OPI("slti", -5, -4), 1);
  expect("sltiu 5, -1 (immediate is 2^64-1)", OPI("sltiu", 5, -1), 1);
  expect("sltiu 0, 1 (seqz)", OPI("sltiu", 0, 1), 1);
  expect("xori x, -1 (not)", OPI("xori", 0x0f, -1), -16);
  expect("andi x, -2048", OPI("andi", -1, -2048), -2048);

  /* lui, auipc. */
  int64_t r;
  __asm__ volatile("lui %0, 0x80000" : "=r"(r));
  expect("lui 0x80000 (sign-extends)", r, (int64_t)0xffffffff80000000ULL);
  __asm__ volatile("lui %0, 0xfffff\n\taddiw %0, %0, -1" : "=r"(r));
  expect("lui 0xfffff; addiw -1", r, -4097);
  int64_t here, label;
  __asm__ volatile("1: auipc %0, 0\n\tlla %1, 1b" : "=r"(here), "=r"(label));
  expect("auipc 0 is its own address", here - label, 0);

  /* Loads extend by their kind. */
  static const uint8_t bytes[16] __attribute__((aligned(8))) = {0x80, 0xff, 0x01, 0x80, 0xfe, 0xff, 0xff, 0xff,
                                                                0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
  __asm__ volatile("lb %0, 0(%1)" : "=r"(r) : "r"(bytes));
  expect("lb 0x80", r, -128);
  __asm__ volatile("lbu %0, 0(%1)" : "=r"(r) : "r"(bytes));
  expect("lbu 0x80", r, 0x80);
  __asm__ volatile("lh %0, 2(%1)" : "=r"(r) : "r"(bytes));
  expect("lh 0x8001", r, (int16_t)0x8001);
  __asm__ volatile("lhu %0, 2(%1)" : "=r"(r) : "r"(bytes));
  expect("lhu 0x8001", r, 0x8001);
  __asm__ volatile("lw %0, 4(%1)" : "=r"(r) : "r"(bytes));
  expect("lw 0xfffffffe", r, -2);
  __asm__ volatile("lwu %0, 4(%1)" : "=r"(r) : "r"(bytes));
  expect("lwu 0xfffffffe", r, 0xfffffffeLL);
  __asm__ volatile("ld %0, 8(%1)" : "=r"(r) : "r"(bytes));
  expect("ld (little-endian)", r, (int64_t)0x8877665544332211ULL);
  __asm__ volatile("lw %0, -4(%1)" : "=r"(r) : "r"(bytes + 12));
  expect("lw with a negative offset", r, 0x44332211);

  /* Misaligned accesses complete (Linux emulates them if the hardware does not). */
  __asm__ volatile("ld %0, 1(%1)" : "=r"(r) : "r"(bytes));
  expect("misaligned ld at +1", r, 0x11fffffffe8001ffLL);
  __asm__ volatile("lw %0, 7(%1)" : "=r"(r) : "r"(bytes));
  expect("misaligned lw at +7", r, 0x332211ff);
  __asm__ volatile("lh %0, 1(%1)" : "=r"(r) : "r"(bytes));
  expect("misaligned lh at +1", r, 0x01ff);
  uint8_t out[16] __attribute__((aligned(8))) = {0};
  __asm__ volatile("sd %1, 3(%0)\n\tsw %2, 11(%0)" ::"r"(out), "r"(0x0102030405060708LL), "r"(0x0a0b0c0dLL) : "memory");
  const uint8_t want_out[16] = {0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1, 0x0d, 0x0c, 0x0b, 0x0a, 0};
  check(memcmp(out, want_out, 16) == 0, "misaligned sd at +3 and sw at +11 store the right bytes");

  /* Compressed instructions, chosen by hand. */
  /* CA and CB forms (c.srli, c.srai, c.andi, c.sub, ...) only reach x8-x15. */
  register int64_t a __asm__("a0") = 0;
  __asm__ volatile(".option push\n\t.option rvc\n\t"
                   "c.li %0, -32\n\t"   /* -32 */
                   "c.addi %0, 31\n\t"  /* -1 */
                   "c.slli %0, 60\n\t"  /* 0xf000000000000000 */
                   "c.srai %0, 4\n\t"   /* 0xff00000000000000 */
                   "c.srli %0, 56\n\t"  /* 0xff */
                   "c.andi %0, -16\n\t" /* 0xf0 */
                   ".option pop"
                   : "+r"(a));
  expect("c.li, c.addi, c.slli, c.srai, c.srli, c.andi", a, 0xf0);
  a = 0x7fffffff;
  __asm__ volatile(".option push\n\t.option rvc\n\tc.addiw %0, 1\n\t.option pop" : "+r"(a));
  expect("c.addiw 0x7fffffff, 1", a, MIN32);
  __asm__ volatile(".option push\n\t.option rvc\n\tc.lui %0, 0xfffe1\n\t.option pop" : "=r"(a));
  expect("c.lui 0xfffe1 (negative: -31 << 12)", a, -31 * 4096);
  register int64_t b __asm__("a1") = 5, c __asm__("a2") = 3;
  __asm__ volatile(".option push\n\t.option rvc\n\t"
                   "c.mv %0, %1\n\t"  /* 5 */
                   "c.add %0, %1\n\t" /* 10 */
                   "c.sub %0, %2\n\t" /* 7 */
                   "c.xor %0, %2\n\t" /* 4 */
                   "c.or %0, %2\n\t"  /* 7 */
                   "c.and %0, %1\n\t" /* 5 */
                   ".option pop"
                   : "=&r"(a)
                   : "r"(b), "r"(c));
  expect("c.mv, c.add, c.sub, c.xor, c.or, c.and", a, 5);
  a = 0x7fffffff;
  b = 1;
  __asm__ volatile(".option push\n\t.option rvc\n\tc.addw %0, %1\n\t.option pop" : "+r"(a) : "r"(b));
  expect("c.addw 0x7fffffff, 1", a, MIN32);
  a = 0;
  b = 1; /* register variables hold their values only into the asm that uses them */
  __asm__ volatile(".option push\n\t.option rvc\n\tc.subw %0, %1\n\t.option pop" : "+r"(a) : "r"(b));
  expect("c.subw 0, 1", a, -1);

  /* Stack-pointer forms: c.addi16sp, c.addi4spn, c.sdsp/c.ldsp, c.swsp/c.lwsp. */
  int64_t sp_word, sp_dword, sp_delta;
  __asm__ volatile(".option push\n\t.option rvc\n\t"
                   "mv t1, sp\n\t"
                   "c.addi16sp sp, -64\n\t"
                   "li t0, -7\n\t"
                   "c.sdsp t0, 8(sp)\n\t"
                   "c.swsp t0, 16(sp)\n\t"
                   "c.ldsp %1, 8(sp)\n\t"
                   "c.lwsp %0, 16(sp)\n\t"
                   "c.addi4spn a5, sp, 64\n\t"
                   "sub %2, t1, a5\n\t"
                   "c.addi16sp sp, 64\n\t"
                   ".option pop"
                   : "=&r"(sp_word), "=&r"(sp_dword), "=&r"(sp_delta)
                   :
                   : "t0", "t1", "a5", "memory");
  expect("c.sdsp / c.ldsp round trip", sp_dword, -7);
  expect("c.swsp / c.lwsp round trip (sign-extends)", sp_word, -7);
  expect("c.addi4spn a5, sp, 64 after c.addi16sp -64", sp_delta, 0);

  /* c.lw / c.sw / c.ld / c.sd use the 8 registers x8-x15. */
  int64_t cell[2] = {0, 0};
  int64_t got64, got32;
  __asm__ volatile(".option push\n\t.option rvc\n\t"
                   "mv a4, %2\n\t"
                   "li a3, -2\n\t"
                   "c.sd a3, 8(a4)\n\t"
                   "c.sw a3, 0(a4)\n\t"
                   "c.ld a2, 8(a4)\n\t"
                   "c.lw a1, 0(a4)\n\t"
                   "mv %0, a2\n\t"
                   "mv %1, a1\n\t"
                   ".option pop"
                   : "=&r"(got64), "=&r"(got32)
                   : "r"(cell)
                   : "a1", "a2", "a3", "a4", "memory");
  expect("c.sd / c.ld", got64, -2);
  expect("c.sw / c.lw (sign-extends)", got32, -2);

  /* Control flow: c.beqz, c.bnez, c.j, c.jr, c.jalr. */
  int64_t path = 0;
  __asm__ volatile(".option push\n\t.option rvc\n\t"
                   "li a5, 0\n\t"
                   "c.beqz a5, 1f\n\t"
                   "ori %0, %0, 1\n\t" /* skipped */
                   "1: ori %0, %0, 2\n\t"
                   "li a5, 1\n\t"
                   "c.bnez a5, 2f\n\t"
                   "ori %0, %0, 4\n\t" /* skipped */
                   "2: c.j 3f\n\t"
                   "ori %0, %0, 8\n\t" /* skipped */
                   "3: lla a5, 4f\n\t"
                   "c.jr a5\n\t"
                   "ori %0, %0, 16\n\t" /* skipped */
                   "4: lla a5, 5f\n\t"
                   "mv a4, ra\n\t"
                   "c.jalr a5\n\t"
                   "6: ori %0, %0, 64\n\t"
                   "j 7f\n\t"
                   "5: lla a3, 6b\n\t"
                   "bne ra, a3, 7f\n\t" /* c.jalr set ra to the next instruction */
                   "ori %0, %0, 32\n\t"
                   "jr ra\n\t"
                   "7: mv ra, a4\n\t"
                   ".option pop"
                   : "+r"(path)
                   :
                   : "a3", "a4", "a5", "ra", "memory");
  expect("c.beqz, c.bnez, c.j, c.jr, c.jalr take the right paths", path, 2 | 32 | 64);

  /* Branches compare signed or unsigned. */
  int64_t taken = 0;
  __asm__ volatile("li t0, -1\n\tli t1, 1\n\t"
                   "blt t0, t1, 1f\n\tori %0, %0, 1\n"
                   "1: bltu t0, t1, 2f\n\tori %0, %0, 2\n"
                   "2: bge t1, t0, 3f\n\tori %0, %0, 4\n"
                   "3: bgeu t1, t0, 4f\n\tori %0, %0, 8\n"
                   "4:"
                   : "+r"(taken)
                   :
                   : "t0", "t1");
  expect("blt/bltu/bge/bgeu with -1 and 1: not-taken mask", taken, 2 | 8);

  /* The time CSR is readable from user mode (cycle and instret need not be:
   * Linux >= 6.6 makes them SIGILL unless perf allows them). */
  uint64_t t0, t1;
  __asm__ volatile("rdtime %0" : "=r"(t0));
  for (volatile int i = 0; i < 1000; i++) {
  }
  __asm__ volatile("rdtime %0" : "=r"(t1));
  check(t1 >= t0, "rdtime never goes back");
  return tap_end();
}
