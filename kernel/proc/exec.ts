/**
 * `execve`: replacing a process's program. Everything that can fail is
 * done first — resolving the path, permission, reading and checking the
 * ELF file (or a `#!` script's interpreter), building the new address space
 * with its initial stack — while the old program is untouched; only then
 * the point of no return: other threads end, the old memory goes (a
 * `vfork` parent resumes), close-on-exec descriptors close, caught signals
 * reset, and the thread starts at the new entry point with fresh registers.
 *
 * Linux counterpart: `fs/exec.c` (`do_execveat_common`, `begin_new_exec`,
 * `de_thread`), `fs/binfmt_elf.c`, `fs/binfmt_script.c`.
 *
 * @module
 */

import { VmError } from "vmio";
import { Errno, fail } from "../abi/errno.js";
import { parseElf } from "../elf/elf.js";
import { loadProgram } from "../elf/loader.js";
import { RegularFile, type Directory, nameToBytes } from "../fs/inode.js";
import { MAY_EXEC, pathOf, permitted, resolve } from "../fs/path-walk.js";
import { TASK_SIZE } from "../mm/layout.js";
import { exitThread } from "./exit.js";
import { ProcessMemory } from "./process-memory.js";
import type { System } from "./system.js";
import type { Thread } from "./thread.js";
import { mapTrampoline } from "./trampoline.js";

const REG_SP = 2;
/** Nested `#!` interpreters followed at most (Linux: `BINPRM_MAX_RECURSION`). */
const MAX_INTERPRETERS = 4;

/** A program to start: path as given, arguments and environment (byte strings). */
export interface ExecRequest {
  readonly path: string;
  readonly argv: readonly string[];
  readonly envp: readonly string[];
}

interface Found {
  readonly file: RegularFile;
  /** The file's own path (what `/proc/self/exe` reads). */
  readonly realPath: string;
}

/** Resolves and checks the file `path` names for execution. */
function findExecutable(t: Thread, start: Directory, path: string): Found {
  const p = t.process;
  const r = resolve(p, start, path, true);
  const inode = r.inode;
  if (inode === undefined) fail(Errno.ENOENT, "no such file");
  if (r.trailingSlash && !(inode instanceof RegularFile)) fail(Errno.ENOTDIR, "not a directory");
  if (!(inode instanceof RegularFile)) fail(Errno.EACCES, "not a regular file");
  if (!permitted(inode, MAY_EXEC, p)) fail(Errno.EACCES, "no execute permission");
  let realPath: string;
  if (r.name === "" && p.exe?.inode === inode) realPath = p.exe.path;
  else {
    const dir = pathOf(r.dir, p.root) ?? "";
    realPath = dir === "/" ? `/${r.name}` : `${dir}/${r.name}`;
  }
  return { file: inode, realPath };
}

/** The interpreter line of a `#!` script: [interpreter, optional argument], or undefined. */
function scriptInterpreter(bytes: Uint8Array): [string, string | undefined] | undefined {
  if (bytes.length < 2 || bytes[0] !== 0x23 || bytes[1] !== 0x21) return undefined;
  let end = bytes.indexOf(0x0a);
  if (end < 0) end = Math.min(bytes.length, 256);
  let line = "";
  for (let i = 2; i < end; i++) line += String.fromCharCode(bytes[i] as number);
  line = line.trim();
  if (line.length === 0) fail(Errno.ENOEXEC, "empty #! line");
  const space = line.search(/[ \t]/);
  if (space < 0) return [line, undefined];
  return [line.slice(0, space), line.slice(space).trim() || undefined];
}

/**
 * Runs `req` in thread `t`'s process. Returns only by throwing
 * (`SysError`: nothing changed) or after the new program is set up (the
 * thread's registers are the new program's).
 *
 * @throws {SysError} `ENOENT`, `EACCES`, `ENOTDIR`, `ENOEXEC`, `E2BIG`, `ENOMEM`, `ELOOP`, …
 */
export function execve(sys: System, t: Thread, req: ExecRequest): void {
  const p = t.process;
  let argv = [...req.argv];
  let path = req.path;
  let found = findExecutable(t, p.cwd, path);
  for (let depth = 0; ; depth++) {
    const script = scriptInterpreter(found.file.bytes());
    if (script === undefined) break;
    if (depth >= MAX_INTERPRETERS) fail(Errno.ELOOP, "too many #! interpreters");
    const [interp, arg] = script;
    argv = [interp, ...(arg === undefined ? [] : [arg]), path, ...argv.slice(1)];
    path = interp;
    found = findExecutable(t, p.cwd, interp);
  }
  // A snapshot: later writes to the file must not change the running program.
  const bytes = found.file.bytes().slice();
  const image = parseElf(bytes, TASK_SIZE);
  let mm: ProcessMemory;
  try {
    mm = new ProcessMemory(sys.memory, sys, sys.fenceWord);
  } catch (e) {
    if (e instanceof VmError) fail(Errno.ENOMEM, "no memory for the page table");
    throw e;
  }
  let entry: number;
  let sp: number;
  try {
    sys.activate(mm);
    const random = new Uint8Array(16);
    sys.random(random);
    const loaded = loadProgram(mm.as, bytes, image, {
      argv: argv.map(nameToBytes),
      envp: req.envp.map(nameToBytes),
      execfn: nameToBytes(req.path),
      random,
      uid: p.uid,
      gid: p.gid,
      name: found.realPath,
    });
    entry = loaded.entry;
    sp = loaded.sp;
    mm.trampoline = mapTrampoline(mm.as);
  } catch (e) {
    mm.release();
    sys.activate(p.mm);
    if (e instanceof VmError) fail(Errno.ENOMEM, "no memory for the new program");
    throw e;
  }
  // The point of no return. Other threads end (one running on another CPU ends when that CPU reports).
  for (const other of p.threads) {
    if (other === t || other.state === "dead") continue;
    if (other.state === "running") {
      other.killPending = true;
      other.clearChildTid = 0;
      sys.onKick?.(other);
    } else exitThread(sys, other, 0);
  }
  const old = p.mm;
  old.harts.delete(t.hart);
  old.release();
  if (p.vforkDone !== undefined) {
    p.vforkDone.wakeAll();
    p.vforkDone = undefined;
  }
  p.mm = mm;
  sys.owners.set(mm, p.pid);
  mm.harts.add(t.hart);
  t.hart.memory = mm.cpu;
  if (p.files.users > 1) {
    p.files.users--;
    p.files = p.files.fork();
  }
  p.files.closeOnExec();
  if (p.actions.users > 1) {
    p.actions.users--;
    p.actions = p.actions.fork();
  }
  p.actions.resetForExec();
  p.exe = { inode: found.file, path: found.realPath };
  p.argv = argv;
  t.altstack = { sp: 0, size: 0, flags: 2 };
  t.clearChildTid = 0;
  t.savedCalls.length = 0;
  const h = t.hart;
  h.xlo.fill(0);
  h.xhi.fill(0);
  h.fbits.fill(0);
  h.fcsr = 0;
  h.pc = entry;
  h.setReg(REG_SP, sp);
  sys.stats.sampleFrames();
  sys.observer?.processExec?.(p.pid, found.realPath, argv);
}
