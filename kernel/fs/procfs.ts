/**
 * The part of `/proc` programs rely on: `/proc/self` (`exe`, `cwd`, and the
 * `fd` directory), whose contents depend on who looks.
 *
 * Linux counterpart: `fs/proc/base.c` (`proc_self`, `proc_exe_link`,
 * `proc_fd_link`).
 *
 * @module
 */

import { Directory, Symlink, type Inode, type InodeHost } from "./inode.js";

/** What `/proc/self` shows of the process that looks. */
export interface ProcView {
  readonly pid: number;
  /** The running program: its inode and the path it was started by. */
  readonly exe: { readonly inode: Inode; readonly path: string } | undefined;
  /** The current directory and its path. */
  readonly cwd: Directory;
  cwdPath(): string;
  /** Open file descriptors: number → inode. */
  fds(): Array<[number, Inode]>;
}

function view(ctx: unknown): ProcView | undefined {
  return ctx !== null && typeof ctx === "object" && "pid" in ctx ? (ctx as ProcView) : undefined;
}

/**
 * A magic link: `readlink` answers a path, but following it goes straight
 * to the inode (even if renamed or removed), as Linux's `nd_jump_link`.
 */
class MagicLink extends Symlink {
  readonly #to: (v: ProcView) => { inode: Inode; path: string } | undefined;

  constructor(host: InodeHost, to: (v: ProcView) => { inode: Inode; path: string } | undefined) {
    super(host, "", 0, 0);
    this.#to = to;
  }

  override readlink(ctx: unknown): string {
    const v = view(ctx);
    return (v === undefined ? undefined : this.#to(v))?.path ?? "";
  }

  override jump(ctx: unknown): Inode | undefined {
    const v = view(ctx);
    return v === undefined ? undefined : this.#to(v)?.inode;
  }

  override size(): number {
    return 0;
  }
}

/** `/proc/self/fd`: one magic link per open descriptor. */
class FdDirectory extends Directory {
  override lookup(name: string, ctx: unknown): Inode | undefined {
    if (!/^(0|[1-9][0-9]*)$/.test(name)) return undefined;
    const fd = Number(name);
    const v = view(ctx);
    if (v === undefined || !v.fds().some(([n]) => n === fd)) return undefined;
    return new MagicLink(this.host, (w) => {
      const hit = w.fds().find(([n]) => n === fd);
      return hit === undefined ? undefined : { inode: hit[1], path: `/proc/self/fd/${fd}` };
    });
  }

  override list(ctx: unknown): Array<[string, Inode]> {
    const v = view(ctx);
    if (v === undefined) return [];
    return v.fds().map(([n]) => [String(n), this.lookup(String(n), ctx) as Inode]);
  }
}

/** `/proc/self`: `exe`, `cwd`, `fd`. */
class SelfDirectory extends Directory {
  readonly #exe: MagicLink;
  readonly #cwd: MagicLink;
  readonly #fd: FdDirectory;

  constructor(host: InodeHost, parent: Directory) {
    super(host, 0o555, 0, 0, parent);
    this.#exe = new MagicLink(host, (v) => v.exe);
    this.#cwd = new MagicLink(host, (v) => ({ inode: v.cwd, path: v.cwdPath() }));
    this.#fd = new FdDirectory(host, 0o500, 0, 0, this);
  }

  override lookup(name: string, _ctx: unknown): Inode | undefined {
    return name === "exe" ? this.#exe : name === "cwd" ? this.#cwd : name === "fd" ? this.#fd : undefined;
  }

  override list(_ctx: unknown): Array<[string, Inode]> {
    return [
      ["exe", this.#exe],
      ["cwd", this.#cwd],
      ["fd", this.#fd],
    ];
  }
}

/**
 * `/proc`: holds `self` (and whatever static files the kernel adds).
 *
 * Linux counterpart: `proc_root`.
 */
export class ProcRoot extends Directory {
  readonly #self: SelfDirectory;

  constructor(host: InodeHost, parent: Directory) {
    super(host, 0o555, 0, 0, parent);
    this.#self = new SelfDirectory(host, this);
  }

  override lookup(name: string, ctx: unknown): Inode | undefined {
    if (name === "self") return view(ctx) === undefined ? undefined : this.#self;
    return super.lookup(name, ctx);
  }

  override list(ctx: unknown): Array<[string, Inode]> {
    const entries = super.list(ctx);
    return view(ctx) === undefined ? entries : [["self", this.#self], ...entries];
  }
}
