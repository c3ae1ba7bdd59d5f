import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Mesh } from '../mesh';
import { nodeTaskAgents, primesBelow } from './testTaskAgents';

describe('mesh.tasks over three Node agents (real WebRTC, worker threads, the Raft ledger)', () => {
  const cluster = nodeTaskAgents();
  afterEach(() => cluster.stop());
  const agents = (count: number, room: string) => cluster.start(count, room);

  it('runs a job under each strategy with every result right; refuses bad jobs at once with a code', async () => {
    const [a, b, c] = await agents(3, 'tasks-node');
    const ranges = Array.from({ length: 12 }, (_, i) => ({ from: i * 5000, to: (i + 1) * 5000 }));
    const expected = ranges.map((r) => primesBelow(r.from, r.to));
    for (const strategy of ['hash', 'steal', 'auction'] as const) {
      const job = a!.tasks.submit({ kind: 'count-primes', inputs: ranges, strategy });
      expect(await job.done).toEqual(expected);
      const status = a!.tasks.status(job.jobId);
      expect(status?.state).toBe('done');
      expect(status?.tasks.every((t) => t.state === 'done' && t.owner !== null)).toBe(true);
      // A hash job's results are kept on their keys' successors: any agent can fetch one.
      if (strategy === 'hash') {
        expect(await b!.tasks.result(job.jobId, 5)).toBe(expected[5]);
        expect(await c!.tasks.result(job.jobId, 11)).toBe(expected[11]);
      } else expect(await b!.tasks.result(job.jobId, 5)).toBeNull();
    }
    // Hash spreads the keys over all three (48 keys: the chance that one of three agents owns
    // none is about 1e-8); an auction that requires a tag goes to its holder.
    const spread = b!.tasks.submit({
      kind: 'busy',
      inputs: Array.from({ length: 48 }, () => ({ ms: 5 })),
      strategy: 'hash',
    });
    const ranOn = new Set(((await spread.done) as { agent: string }[]).map((r) => r.agent));
    expect(ranOn.size).toBe(3);
    const tagged = b!.tasks.submit({
      kind: 'busy',
      inputs: [{ ms: 1 }, { ms: 1 }],
      strategy: 'auction',
      requires: ['fast'],
    });
    expect(((await tagged.done) as { agent: string }[]).map((r) => r.agent)).toEqual([
      c!.id,
      c!.id,
    ]);
    const nobody = b!.tasks.submit({
      kind: 'busy',
      inputs: [{ ms: 1 }],
      strategy: 'auction',
      requires: ['gpu-farm'],
    });
    await expect(nobody.done).rejects.toMatchObject({ code: 'no-capable-agent' });

    expect(() => a!.tasks.submit({ kind: 'no-such-kind', inputs: [1] })).toThrow(
      expect.objectContaining({ code: 'unknown-kind' }),
    );
    expect(() => a!.tasks.submit({ kind: 'busy', inputs: [] })).toThrow(
      expect.objectContaining({ code: 'invalid' }),
    );
    expect(() => a!.tasks.submit({ kind: 'busy', inputs: [{ pad: 'x'.repeat(70_000) }] })).toThrow(
      expect.objectContaining({ code: 'too-large' }),
    );
    expect(() =>
      a!.tasks.submit({ kind: 'busy', inputs: [{ ms: 1 }], strategy: 'random' as never }),
    ).toThrow(expect.objectContaining({ code: 'invalid' }));
    // A task whose input its kind refuses fails the job with the reason, on the first try.
    const refused = a!.tasks.submit({ kind: 'count-primes', inputs: [{ from: 5, to: 1 }] });
    await expect(refused.done).rejects.toMatchObject({ code: 'task-failed' });
  });

  it('a kind registered on one agent is loaded by the others from the shared memory, and runs everywhere', async () => {
    const [a, b, c] = await agents(3, 'tasks-kinds');
    const folder = mkdtempSync(join(tmpdir(), 'mesh-kind-'));
    const file = join(folder, 'triple.mjs');
    writeFileSync(
      file,
      'export function run(input, context) { return { value: input.n * 3, agent: context.agent }; }\n',
    );
    const loaded = (mesh: Mesh) =>
      new Promise<void>((resolve) => {
        const off = mesh.onEvent((event) => {
          if (event.kind === 'task-kind-loaded' && event.detail?.startsWith('demo.triple ')) {
            off();
            resolve();
          }
        });
      });
    const elsewhere = Promise.all([loaded(b!), loaded(c!)]);
    await a!.tasks.register('demo.triple', pathToFileURL(file).href);
    await elsewhere;
    expect(c!.tasks.kinds()).toContain('demo.triple');
    const inputs = Array.from({ length: 48 }, (_, n) => ({ n }));
    const job = a!.tasks.submit({ kind: 'demo.triple', inputs, strategy: 'hash' });
    const results = (await job.done) as { value: number; agent: string }[];
    expect(results.map((r) => r.value)).toEqual(inputs.map(({ n }) => n * 3));
    expect(new Set(results.map((r) => r.agent)).size).toBe(3);
  });
});
