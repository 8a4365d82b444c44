/**
 * The inspector's local web server (Node): serves the page, its compiled
 * modules, the bundled kernel worker and the guest programs — nothing else
 * of the repository — on 127.0.0.1, cross-origin isolated (COOP/COEP), so
 * that shared RAM (`PhysicalMemory({ shared: true })`) works in the page.
 *
 * URL layout:
 * - `/` — `inspector/page/index.html`; `/inspector.css` beside it;
 * - `/js/…` — the compiled inspector, `build/inspector/…` (the page's
 *   modules, and `kernel-worker.js`, the bundled worker);
 * - `/bin/NAME` — a guest program from `kernel/guest/bin`.
 *
 * @module
 */

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";

/** A running server. */
export interface InspectorServer {
  /** The page's URL, e.g. `http://127.0.0.1:8040/`. */
  readonly url: string;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/** Options of {@link serveInspector}. */
export interface ServeOptions {
  /** The repository (or installed package) root: where `inspector/`, `build/` and `kernel/` are. */
  readonly root: string;
  /** The port (default 0: any free one). */
  readonly port?: number;
}

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".map": "application/json",
};

/** The file `pathname` names, or undefined for anything outside the layout. */
export function fileFor(root: string, pathname: string): string | undefined {
  if (pathname === "/" || pathname === "/index.html") return join(root, "inspector", "page", "index.html");
  if (pathname === "/inspector.css") return join(root, "inspector", "page", "inspector.css");
  const under = (prefix: string, dir: string, allow: (rest: string) => boolean): string | undefined => {
    if (!pathname.startsWith(prefix)) return undefined;
    const rest = normalize(pathname.slice(prefix.length));
    if (rest.startsWith("..") || rest.startsWith(sep) || !allow(rest)) return undefined;
    return join(dir, rest);
  };
  return (
    under("/js/", join(root, "build", "inspector"), (rest) => rest.endsWith(".js") || rest.endsWith(".js.map")) ??
    under("/bin/", join(root, "kernel", "guest", "bin"), (rest) => /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(rest))
  );
}

async function respond(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const headers = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Cache-Control": "no-store",
  };
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
  } catch {
    res.writeHead(400, headers).end("bad request");
    return;
  }
  const file = req.method === "GET" || req.method === "HEAD" ? fileFor(root, pathname) : undefined;
  if (file === undefined || !(await stat(file).then((s) => s.isFile(), () => false))) {
    res.writeHead(404, { ...headers, "Content-Type": "text/plain; charset=utf-8" }).end("not found");
    return;
  }
  const body = await readFile(file);
  res.writeHead(200, { ...headers, "Content-Type": TYPES[extname(file)] ?? "application/octet-stream", "Content-Length": body.byteLength });
  res.end(req.method === "HEAD" ? undefined : body);
}

/**
 * Starts the server on 127.0.0.1.
 *
 * @throws {Error} the port is taken (`EADDRINUSE`) or cannot be used.
 */
export async function serveInspector(opts: ServeOptions): Promise<InspectorServer> {
  const server = createServer((req, res) => {
    respond(opts.root, req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" });
      res.end(String(e));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the server has no port");
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
