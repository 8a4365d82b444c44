// The guest programs (kernel/guest): every expected run — what Linux prints
// for an unmodified static RISC-V program — run through the kernel and
// compared exactly: stdout, stderr and exit status; the threaded programs
// also with 2 CPUs (workers), where the output must not change. Runs of more than 7 M
// instructions (the benchmarks' default sizes) are left to `npm run bench`,
// which checks their output too.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { expectedPrograms, runExpected } from "../support/expected-runs.js";

const BIG = 7_000_000;

for (const prog of expectedPrograms()) {
  describe(prog.name, () => {
    prog.runs.forEach((run, i) => {
      if ((run.instructions ?? 0) > BIG) return;
      const label = `${prog.program} ${JSON.stringify(run.args)} (run ${i + 1})`;
      for (const cpus of prog.threaded === true ? [1, 2] : [1]) {
        test(`${label}: exactly Linux's output, ${cpus} CPU${cpus > 1 ? "s" : ""}`, { timeout: 120_000 }, async () => {
          const r = await runExpected(prog.program, run, cpus);
          assert.equal(r.stdout, run.stdout);
          assert.equal(r.stderr, run.stderr);
          assert.equal(r.exit.code, run.exit);
        });
      }
    });
  });
}
