/**
 * The console's built files (admin/console/dist, from `npm run build`): index.html for /admin and every
 * page under it (the browser routes), hashed assets with year-long immutable caching, compressed once
 * (brotli or gzip, as the browser accepts) unless the build left .br/.gz siblings.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import type { Request, Response } from "express";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".txt": "text/plain; charset=utf-8",
  ".webmanifest": "application/manifest+json",
};
const COMPRESSIBLE = new Set([
  ".html",
  ".js",
  ".mjs",
  ".css",
  ".json",
  ".map",
  ".svg",
  ".txt",
  ".webmanifest",
  ".ico",
]);

export const IMMUTABLE = "public, max-age=31536000, immutable";

/** Same-origin scripts only; inline styles allowed (chart libraries set style attributes). */
const HTML_HEADERS = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "same-origin",
};

interface StaticFile {
  type: string;
  raw: Buffer;
  br?: Buffer;
  gzip?: Buffer;
}

/** Where the build puts the console: next to this module in the sources, or beside dist/ when compiled. */
export function defaultConsoleDist(): string {
  const candidates = [
    new URL("../console/dist", import.meta.url).pathname,
    new URL("../../../admin/console/dist", import.meta.url).pathname,
  ];
  return candidates.find((dir) => existsSync(join(dir, "index.html"))) ?? (candidates[0] as string);
}

function load(path: string): StaticFile {
  const raw = readFileSync(path);
  const ext = extname(path).toLowerCase();
  const file: StaticFile = { type: TYPES[ext] ?? "application/octet-stream", raw };
  if (!COMPRESSIBLE.has(ext) || raw.length < 256) return file;
  file.br = existsSync(`${path}.br`)
    ? readFileSync(`${path}.br`)
    : brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } });
  file.gzip = existsSync(`${path}.gz`) ? readFileSync(`${path}.gz`) : gzipSync(raw, { level: 9 });
  return file;
}

function walk(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...walk(path));
    else if (!name.endsWith(".br") && !name.endsWith(".gz")) found.push(path);
  }
  return found;
}

/** The encoding to send: brotli, else gzip, when the browser accepts it (q=0 refuses). */
export function pickEncoding(accept: string | undefined): "br" | "gzip" | undefined {
  const accepted = new Map<string, number>();
  for (const part of (accept ?? "").toLowerCase().split(",")) {
    const [name, ...params] = part.trim().split(";");
    if (!name) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    accepted.set(name, q ? Number(q.slice(2)) : 1);
  }
  const ok = (name: string) => (accepted.get(name) ?? accepted.get("*") ?? 0) > 0;
  if (ok("br")) return "br";
  if (ok("gzip")) return "gzip";
  return undefined;
}

export class ConsoleFiles {
  #files: Map<string, StaticFile> | undefined;

  constructor(readonly dir: string) {}

  /** Every file of the build, read and compressed on first use; undefined while there is no build. */
  #loaded(): Map<string, StaticFile> | undefined {
    if (this.#files) return this.#files;
    if (!existsSync(join(this.dir, "index.html"))) return undefined;
    const files = new Map<string, StaticFile>();
    for (const path of walk(this.dir)) files.set(relative(this.dir, path).split(sep).join("/"), load(path));
    this.#files = files;
    return files;
  }

  /** Loads the build now (at start-up) so the first visitor does not wait for the compression. */
  warm(): boolean {
    return this.#loaded() !== undefined;
  }

  #send(req: Request, res: Response, file: StaticFile, cacheControl: string): void {
    const encoding = file.br ? pickEncoding(req.get("accept-encoding")) : undefined;
    const body = encoding === "br" ? file.br : encoding === "gzip" ? file.gzip : file.raw;
    res.set({ "content-type": file.type, "cache-control": cacheControl, vary: "Accept-Encoding" });
    if (encoding) res.set("content-encoding", encoding);
    res.status(200).end(req.method === "HEAD" ? undefined : body);
  }

  /** `path` is relative to /admin/ ("assets/index-3f2a.js", "settings/people"). */
  serve(req: Request, res: Response, path: string): void {
    const files = this.#loaded();
    if (!files) {
      res
        .status(503)
        .set({ "content-type": "text/html; charset=utf-8", "cache-control": "no-store", ...HTML_HEADERS })
        .send(
          "<!doctype html><html lang=en><meta charset=utf-8><title>Cairn console not built</title>" +
            "<h1>The console is not built yet</h1><p>Run <code>npm run build</code> (or <code>npm install</code>) " +
            "in the Cairn folder, then reload this page.</p></html>",
        );
      return;
    }
    if (path.startsWith("assets/")) {
      const asset = files.get(path);
      if (!asset) {
        res.status(404).json({ title: "Not found", detail: `No console asset ${path}; reload the page.` });
        return;
      }
      this.#send(req, res, asset, IMMUTABLE);
      return;
    }
    const file = path && path !== "index.html" ? files.get(path) : undefined;
    if (file && !file.type.startsWith("text/html")) {
      this.#send(req, res, file, "no-cache");
      return;
    }
    res.set(HTML_HEADERS);
    this.#send(req, res, files.get("index.html") as StaticFile, "no-cache");
  }
}
