/** The console's static files (`console/`), loaded once at start: a handful of small files, no build step. */
import { readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** One static file, with its content type and ETag. */
export interface Asset {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
}

/** Loads the static files once at start (a handful of small files; no build step). */
export function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const ext = name.slice(name.lastIndexOf('.'));
    const type = CONTENT_TYPES[ext];
    if (type === undefined || !/^[a-z0-9-]+\.[a-z]+$/.test(name)) continue;
    const body = readFileSync(new URL(name, dir.endsWith('/') ? `file://${dir}` : `file://${dir}/`));
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`;
    assets.set(name, { body, type, etag });
  }
  return assets;
}
