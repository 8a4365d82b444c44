import type { BenchCase } from "./harness.js";

/** Thread benchmarks (worker scaling, contended allocation, TLB shootdown, shared vs unshared RAM). */
export const cases: BenchCase[] = [];
