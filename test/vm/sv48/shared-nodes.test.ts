// ../shared-nodes.test.ts again, on RISC-V Sv48 page tables (issue 12: every vm test runs on both paging formats).
import { runOnPaging } from "../support.js";

runOnPaging("riscv-sv48");
await import("../shared-nodes.test.js");
