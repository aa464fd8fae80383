// Serves the built renderer from one folder. A request can only reach files inside it: the path is
// decoded, normalised and checked, and symbolic links that lead out are refused.
import { createReadStream, realpathSync, statSync } from 'node:fs';
import { extname, isAbsolute, join, relative, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
};

export interface StaticFile {
  path: string;
  size: number;
  type: string;
}

/**
 * The file a URL path names inside `root`, or null when there is none or the path tries to leave
 * `root`. `/` names index.html.
 */
export function resolveStaticFile(root: string, urlPath: string): StaticFile | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0]!.split('#')[0]!);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const relativePath = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  if (relativePath.split('/').some((part) => part === '..')) return null;
  let realRoot: string;
  let real: string;
  try {
    realRoot = realpathSync(root);
    real = realpathSync(join(realRoot, relativePath));
  } catch {
    return null;
  }
  const inside = relative(realRoot, real);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside) || inside.split(sep).includes('..')) return null;
  const stats = statSync(real);
  if (!stats.isFile()) return null;
  return { path: real, size: stats.size, type: TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream' };
}

export function openStaticFile(file: StaticFile) {
  return createReadStream(file.path);
}
