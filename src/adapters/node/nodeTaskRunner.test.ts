import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskRunner } from '../../host/ports';
import { nodeCapabilities } from './nodeCapabilities';
import { createNodeTaskRunner } from './nodeTaskRunner';

/** Real worker threads: waits (in real time) until `check` holds. */
async function until(check: () => boolean, what: string, withinMs = 20_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not ${what} within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('createNodeTaskRunner (worker threads)', () => {
  let runner: TaskRunner;
  let folder: string;
  let server: Server;
  let serverUrl: string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'mesh-kinds-'));
    await writeFile(
      join(folder, 'triple.mjs'),
      'export function run(input) { return input.n * 3; }\n',
    );
    await writeFile(
      join(folder, 'greet.mjs'),
      'export default { validate: (i) => (typeof i === "string" ? null : "a name"), run: (i, c) => `hi ${i} from ${c.agent}` };\n',
    );
    await writeFile(join(folder, 'huge.mjs'), 'export const run = () => "x".repeat(300 * 1024);\n');
    await writeFile(join(folder, 'exits.mjs'), 'export const run = () => process.exit(3);\n');
    await writeFile(join(folder, 'norun.mjs'), 'export const walk = () => 1;\n');
    server = createServer((request, response) => {
      if (request.url !== '/square.mjs') return void response.writeHead(404).end();
      response.writeHead(200, { 'content-type': 'text/javascript' });
      response.end('export const run = (n) => n * n;');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    runner = createNodeTaskRunner({ agent: 'agent-n', workers: 2 });
    // Two threads, each taking the task it runs and the next.
    await until(() => runner.freePlaces() === 4, 'ready');
  });

  afterAll(async () => {
    runner?.stop();
    await new Promise((resolve) => server?.close(resolve));
    await rm(folder, { recursive: true, force: true });
  });

  it('runs count-primes and busy in two threads at once', async () => {
    const primes = runner.run({
      kind: 'count-primes',
      input: { from: 0, to: 1_000_000 },
      timeoutMs: 10_000,
    });
    const busy = runner.run({ kind: 'busy', input: { ms: 50 }, timeoutMs: 10_000 });
    // One on each thread (an idle one first), each with room for one more behind it.
    expect(runner.freePlaces()).toBe(2);
    expect(await primes.done).toMatchObject({ ok: true, result: 78_498 });
    const spun = await busy.done;
    expect(spun).toMatchObject({ ok: true, result: { agent: 'agent-n' } });
    expect(spun.ok && (spun.result as { ms: number }).ms).toBeGreaterThanOrEqual(50);
    expect(runner.busyMs()).toBeGreaterThanOrEqual(50);
  });

  it('times out a busy loop, replaces the thread and runs the next task', async () => {
    const stuck = await runner.run({ kind: 'busy', input: { ms: 60_000 }, timeoutMs: 200 }).done;
    expect(stuck).toMatchObject({ ok: false, code: 'timeout' });
    expect(runner.freePlaces()).toBe(2);
    await until(() => runner.freePlaces() === 4, 'replaced');
    const runs = [0, 1].map(() =>
      runner.run({ kind: 'count-primes', input: { from: 0, to: 100 }, timeoutMs: 10_000 }),
    );
    for (const run of runs) expect(await run.done).toMatchObject({ ok: true, result: 25 });
  });

  it('registers kinds from a path, a file: URL and an http URL; replacements load them too', async () => {
    await runner.register('triple', join(folder, 'triple.mjs'));
    await runner.register('greet', pathToFileURL(join(folder, 'greet.mjs')).href);
    await runner.register('square', `${serverUrl}/square.mjs`);
    expect(runner.kinds()).toEqual([
      'count-primes',
      'busy',
      'fractal-tile',
      'triple',
      'greet',
      'square',
    ]);
    const run = (kind: string, input: unknown) => runner.run({ kind, input, timeoutMs: 5000 }).done;
    expect(await run('triple', { n: 14 })).toMatchObject({ ok: true, result: 42 });
    expect(await run('greet', 'ann')).toMatchObject({ ok: true, result: 'hi ann from agent-n' });
    expect(await run('greet', 7)).toMatchObject({
      ok: false,
      code: 'invalid-input',
      message: 'a name',
    });
    expect(await run('square', 9)).toMatchObject({ ok: true, result: 81 });
    // Both threads are replaced; the fresh ones still know the registered kinds.
    const stuck = [0, 1].map(() =>
      runner.run({ kind: 'busy', input: { ms: 60_000 }, timeoutMs: 100 }),
    );
    for (const s of stuck) expect(await s.done).toMatchObject({ code: 'timeout' });
    await until(() => runner.freePlaces() === 4, 'replaced');
    const again = [run('triple', { n: 1 }), run('square', 3)];
    expect(await Promise.all(again)).toMatchObject([{ result: 3 }, { result: 9 }]);
  });

  it('refuses unknown kinds, oversized results and modules it cannot use', async () => {
    expect(await runner.run({ kind: 'nope', input: 1, timeoutMs: 100 }).done).toMatchObject({
      ok: false,
      code: 'unknown-kind',
    });
    await runner.register('huge', join(folder, 'huge.mjs'));
    expect(await runner.run({ kind: 'huge', input: null, timeoutMs: 5000 }).done).toMatchObject({
      ok: false,
      code: 'too-large',
    });
    await expect(runner.register('norun', join(folder, 'norun.mjs'))).rejects.toThrow(
      /has no run export/,
    );
    await expect(runner.register('absent', join(folder, 'absent.mjs'))).rejects.toThrow(
      /could not load/,
    );
    await expect(runner.register('http-absent', `${serverUrl}/absent.mjs`)).rejects.toThrow(
      /HTTP 404/,
    );
  });

  it('a thread that exits fails its task and is replaced', async () => {
    await runner.register('exits', join(folder, 'exits.mjs'));
    const outcome = await runner.run({ kind: 'exits', input: null, timeoutMs: 5000 }).done;
    expect(outcome).toMatchObject({
      ok: false,
      code: 'failed',
      message: 'the worker crashed: exited with code 3',
    });
    await until(() => runner.freePlaces() === 4, 'replaced');
    expect(
      await runner.run({ kind: 'triple', input: { n: 2 }, timeoutMs: 5000 }).done,
    ).toMatchObject({ result: 6 });
  });
});

describe('nodeCapabilities', () => {
  it('reports the cores and memory of this machine and the declared tags', () => {
    const capabilities = nodeCapabilities(['fractal']);
    expect(capabilities.cores).toBeGreaterThanOrEqual(1);
    expect(capabilities.memoryGb).toBeGreaterThan(0);
    expect(capabilities).toMatchObject({ webgpu: false, tags: ['fractal'] });
  });
});
