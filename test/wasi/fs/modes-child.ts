/**
 * The host half of the permission-bit scenario (`modes-scenario.ts`), run
 * in a child process. With `--as-nobody` (the test passes it when it runs
 * as root, which ignores permission bits) it becomes `nobody` once its
 * modules are loaded, so that it needs no access to the checkout. Prints
 * `{ uid, results }` as JSON.
 *
 * @module
 */

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { testGuest } from "../guest.js";
import { hostState, hostTree, runScenario, unlockTree } from "./modes-scenario.js";

const NOBODY = 65534;
if (process.argv.includes("--as-nobody")) {
  process.setgroups!([NOBODY]);
  process.setgid!(NOBODY);
  process.setuid!(NOBODY);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "vmio-modes-"));
try {
  let run = 0;
  const results = await runScenario(async () => {
    const root = path.join(tmp, String(run++));
    fs.mkdirSync(root);
    hostTree(root);
    return [await testGuest({ preopens: { "/": root } }), () => hostState(root)];
  });
  process.stdout.write(JSON.stringify({ uid: process.getuid?.(), results }));
} finally {
  unlockTree(tmp);
  fs.rmSync(tmp, { recursive: true, force: true });
}
