import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

export function contentTypeFor(filePath: string): string {
  return CONTENT_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

function sendText(res: ServerResponse, status: number, text: string, headOnly: boolean): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
  });
  res.end(headOnly ? undefined : text);
}

/** True when `candidate` is `root` or inside it (both absolute and normalised). */
function isInside(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(root + path.sep);
}

async function fileStat(filePath: string) {
  try {
    return await stat(filePath);
  } catch {
    return null;
  }
}

/**
 * Maps a request path to a file under `root`, or null. Refuses anything that resolves outside
 * the root, directly or through a symbolic link.
 */
async function resolveFile(root: string, requestPath: string): Promise<string | null> {
  let relative = requestPath.replace(/^\/+/, '');
  if (relative === '' || relative.endsWith('/')) relative += 'index.html';
  const candidate = path.resolve(root, relative);
  if (!isInside(root, candidate)) return null;
  let info = await fileStat(candidate);
  let file = candidate;
  if (info?.isDirectory()) {
    file = path.join(candidate, 'index.html');
    info = await fileStat(file);
  }
  if (!info?.isFile()) return null;
  const realRoot = await realpath(root);
  const realFile = await realpath(file);
  return isInside(realRoot, realFile) ? realFile : null;
}

/**
 * Serves the built app from `distDir`: `/` is index.html, files get their content type, anything
 * else (including every path that would leave the folder) is 404. When the folder is missing,
 * `/` says so.
 */
export function createStaticHandler(
  distDir: string,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const root = path.resolve(distDir);
  return async (req, res) => {
    const method = req.method ?? 'GET';
    const headOnly = method === 'HEAD';
    if (method !== 'GET' && !headOnly) {
      res.setHeader('Allow', 'GET, HEAD');
      sendText(res, 405, 'method not allowed\n', false);
      return;
    }
    let requestPath: string;
    try {
      requestPath = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      sendText(res, 400, 'bad request path\n', headOnly);
      return;
    }
    if (requestPath.includes('\0')) {
      sendText(res, 400, 'bad request path\n', headOnly);
      return;
    }
    if (!(await fileStat(root))?.isDirectory()) {
      if (requestPath === '/' || requestPath === '/index.html') {
        sendText(
          res,
          503,
          `mesh-coordinator: the app is not built: ${root} does not exist.\n` +
            'Run `npm run build` (or `npm start`, which builds first), or pass --dist.\n' +
            'Signaling over WebSocket works without it.\n',
          headOnly,
        );
      } else sendText(res, 404, 'not found\n', headOnly);
      return;
    }
    const file = await resolveFile(root, requestPath);
    if (file === null) {
      sendText(res, 404, 'not found\n', headOnly);
      return;
    }
    const info = await fileStat(file);
    if (!info) {
      sendText(res, 404, 'not found\n', headOnly);
      return;
    }
    res.writeHead(200, {
      'Content-Type': contentTypeFor(file),
      'Content-Length': info.size,
      'X-Content-Type-Options': 'nosniff',
      // Vite puts content-hashed names under assets/; everything else may change between builds.
      'Cache-Control': requestPath.startsWith('/assets/')
        ? 'public, max-age=31536000, immutable'
        : 'no-cache',
    });
    if (headOnly) {
      res.end();
      return;
    }
    const stream = createReadStream(file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  };
}
