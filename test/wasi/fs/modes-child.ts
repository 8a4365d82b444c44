/**
 * The host half of the permission-bit scenario (`modes-scenario.ts`), run
 * in a child process that the test starts as an unprivileged user when it
 * runs as root. Prints `{ uid, results }` as JSON.
 *
 * @module
 */

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { testGuest } from "../guest.js";
import { hostState, hostTree, runScenario, unlockTree } from "./modes-scenario.js";

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
