// ../shootdown.test.ts again, on RISC-V Sv48 page tables: the workers attach the RAM and read its format from it.
import { runOnPaging } from "../support.js";

runOnPaging("riscv-sv48");
await import("../shootdown.test.js");
