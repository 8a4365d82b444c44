// The long run of the address-space model (test/model/space-model.ts): the
// same random operations as `npm test`'s 10^4 — fault handlers, protectNext
// ops and getters that re-enter the space, overlapping copies — for 10^6
// operations by default, alternating unshared and shared RAM, every run
// ending with all handles disposed and `freeFrames()` back where it started.
//
//   npm run build && node scripts/model-long.mjs [--ops N] [--seed S]
//
// It prints its seed first: `--seed S` replays the same run (a failure also
// prints fast-check's own seed and path for the failing chunk).
import { performance } from "node:perf_hooks";
import { runSpaceModel } from "../build/test/model/space-model.js";

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(v)) throw new TypeError(`${name} needs an integer, not ${process.argv[i + 1]}`);
  return v;
}

const total = arg("--ops", 1_000_000);
const seed = arg("--seed", (Date.now() ^ (Math.random() * 0x7fff_ffff)) | 0);
const OPS_PER_RUN = 200;
const RUNS_PER_CHUNK = 50; // 10^4 operations a chunk

console.log(`model-long: seed ${seed}, ${total} operations (${OPS_PER_RUN} a run)`);
const sum = { ops: 0, faults: 0, handlerCalls: 0, reentries: 0, spaces: 0 };
const t0 = performance.now();
for (let chunk = 0; sum.ops < total; chunk++) {
  const runs = Math.max(1, Math.min(RUNS_PER_CHUNK, Math.ceil((total - sum.ops) / OPS_PER_RUN)));
  const shared = chunk % 2 === 1;
  const chunkSeed = (seed + chunk) | 0;
  let stats;
  try {
    stats = runSpaceModel({ seed: chunkSeed, runs, ops: OPS_PER_RUN, shared });
  } catch (e) {
    console.error(`FAILED in chunk ${chunk} (seed ${chunkSeed}, ${shared ? "shared" : "unshared"} RAM) after ${sum.ops} operations`);
    console.error(e);
    process.exit(1);
  }
  for (const k of Object.keys(sum)) sum[k] += stats[k];
  if (chunk % 10 === 9) console.log(`  ${sum.ops} operations, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
const seconds = (performance.now() - t0) / 1000;
console.log(
  `model-long: PASS seed ${seed}: ${sum.ops} operations in ${seconds.toFixed(1)} s ` +
    `(${Math.round(sum.ops / seconds)} ops/s); ${sum.faults} page faults reported, ${sum.handlerCalls} handler calls, ` +
    `${sum.reentries} refused re-entries, ${sum.spaces} spaces`,
);
