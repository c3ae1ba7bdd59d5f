import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentTypeFor } from './staticFiles';
import { startServer, type RunningServer } from './startServer';
import { httpRequest } from './testSupport';

let base: string;
let server: RunningServer;

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'mesh-static-'));
  const dist = path.join(base, 'dist');
  await mkdir(path.join(dist, 'assets'), { recursive: true });
  await mkdir(path.join(dist, 'docs'), { recursive: true });
  await writeFile(path.join(dist, 'index.html'), '<!doctype html><title>mesh</title>');
  await writeFile(path.join(dist, 'assets', 'app-1234.js'), 'console.log("app");');
  await writeFile(path.join(dist, 'assets', 'style.css'), 'body{}');
  await writeFile(path.join(dist, 'assets', 'data.bin'), Buffer.from([1, 2, 3]));
  await writeFile(path.join(dist, 'docs', 'index.html'), '<p>docs</p>');
  await writeFile(path.join(base, 'secret.txt'), 'TOP SECRET');
  await symlink(path.join(base, 'secret.txt'), path.join(dist, 'leak.txt'));
  server = await startServer({ port: 0, host: '127.0.0.1', dist });
});

afterAll(async () => {
  await server.close();
  await rm(base, { recursive: true, force: true });
});

describe('static files', () => {
  it('serves index.html for /', async () => {
    const answer = await httpRequest(server.port, '/');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.body).toBe('<!doctype html><title>mesh</title>');
  });

  it.each([
    ['/assets/app-1234.js', 'text/javascript; charset=utf-8', 'console.log("app");'],
    ['/assets/style.css', 'text/css; charset=utf-8', 'body{}'],
    ['/assets/data.bin', 'application/octet-stream', '\u0001\u0002\u0003'],
    ['/index.html?v=2', 'text/html; charset=utf-8', '<!doctype html><title>mesh</title>'],
    ['/docs/', 'text/html; charset=utf-8', '<p>docs</p>'],
    ['/docs', 'text/html; charset=utf-8', '<p>docs</p>'],
  ])('serves %s as %s', async (requestPath, type, body) => {
    const answer = await httpRequest(server.port, requestPath);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe(type);
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.body).toBe(body);
  });

  it('caches hashed assets for long and the rest never blindly', async () => {
    expect(
      (await httpRequest(server.port, '/assets/app-1234.js')).headers['cache-control'],
    ).toMatch(/immutable/);
    expect((await httpRequest(server.port, '/')).headers['cache-control']).toBe('no-cache');
  });

  it('answers 404 for files that do not exist', async () => {
    const answer = await httpRequest(server.port, '/missing.js');
    expect(answer.status).toBe(404);
  });

  it.each([
    '/../secret.txt',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/..%2fsecret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/%2e%2e%2f%2e%2e%2fsecret.txt',
    '/..%5csecret.txt',
    '/leak.txt',
  ])('refuses the traversal %s', async (requestPath) => {
    const answer = await httpRequest(server.port, requestPath);
    expect(answer.status).toBe(404);
    expect(answer.body).not.toContain('TOP SECRET');
  });

  it('refuses an absolute file system path', async () => {
    const answer = await httpRequest(
      server.port,
      `/${encodeURIComponent(path.join(base, 'secret.txt'))}`,
    );
    expect(answer.status).toBe(404);
    expect(answer.body).not.toContain('TOP SECRET');
  });

  it('refuses malformed escapes and NUL bytes with 400', async () => {
    expect((await httpRequest(server.port, '/%E0%A4%A')).status).toBe(400);
    expect((await httpRequest(server.port, '/index.html%00.js')).status).toBe(400);
  });

  it('answers HEAD without a body and refuses other methods', async () => {
    const head = await httpRequest(server.port, '/', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(
      String('<!doctype html><title>mesh</title>'.length),
    );
    expect(head.body).toBe('');
    const post = await httpRequest(server.port, '/', 'POST');
    expect(post.status).toBe(405);
    expect(post.headers['allow']).toBe('GET, HEAD');
  });

  it('answers /healthz with the counters', async () => {
    const answer = await httpRequest(server.port, '/healthz');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    const report = JSON.parse(answer.body) as Record<string, unknown>;
    expect(Object.keys(report).sort()).toEqual(
      [
        'status',
        'uptimeSeconds',
        'sockets',
        'topics',
        'subscriptions',
        'addresses',
        'messagesRelayed',
        'errorsAnswered',
        'socketsRefused',
        'slowConsumersClosed',
        'floodsClosed',
        'outputQueuedBytes',
        'connections',
        'connectionsRefused',
        'connectionsCut',
        'oldestIdleMs',
      ].sort(),
    );
    expect(report['status']).toBe('ok');
    expect(report['uptimeSeconds']).toBeGreaterThanOrEqual(0);
  });

  it('knows the content types of a vite build', () => {
    expect(contentTypeFor('a/b/c.MJS')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeFor('x.svg')).toBe('image/svg+xml');
    expect(contentTypeFor('x.wasm')).toBe('application/wasm');
    expect(contentTypeFor('x.woff2')).toBe('font/woff2');
    expect(contentTypeFor('noextension')).toBe('application/octet-stream');
  });
});

describe('without a built app', () => {
  it('says clearly on / that dist is missing, and still answers /healthz', async () => {
    const missing = path.join(tmpdir(), 'mesh-no-such-dist-folder');
    const bare = await startServer({ port: 0, host: '127.0.0.1', dist: missing });
    try {
      expect(bare.distFound).toBe(false);
      const answer = await httpRequest(bare.port, '/');
      expect(answer.status).toBe(503);
      expect(answer.body).toContain(missing);
      expect(answer.body).toContain('npm run build');
      expect((await httpRequest(bare.port, '/assets/app.js')).status).toBe(404);
      expect((await httpRequest(bare.port, '/healthz')).status).toBe(200);
    } finally {
      await bare.close();
    }
  });
});
