/**
 * The F and D extensions: the floating-point register file, `fcsr`, and the
 * execution of every F/D computational instruction.
 *
 * @module
 */

/** The FP register file and `fcsr` of one hart, and the F/D instructions that use them. */
export class Fpu {
  /** f0–f31 as raw bits: the low half of f[i] at `bits[2 * i]`, the high half at `bits[2 * i + 1]`. */
  readonly bits: Int32Array;
  /** The same registers read as doubles (never written with a NaN: NaN bits are written through `bits`). */
  readonly f64: Float64Array;
  /** Accrued exception flags (NV DZ OF UF NX, bits 4..0). */
  fflags = 0;
  /** Dynamic rounding mode (0..7; 5..7 make dynamic-rounding instructions illegal). */
  frm = 0;

  constructor() {
    const buffer = new ArrayBuffer(256);
    this.bits = new Int32Array(buffer);
    this.f64 = new Float64Array(buffer);
  }

  /** Executes one OP-FP / FMADD / FMSUB / FNMSUB / FNMADD instruction; false when it is illegal. */
  execute(_inst: number, _xl: Int32Array, _xh: Int32Array): boolean {
    return false;
  }
}
