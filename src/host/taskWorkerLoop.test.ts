import { describe, expect, it } from 'vitest';
import { startTaskWorkerLoop } from './taskWorkerLoop';
import type { FromTaskWorker } from './taskWorkerProtocol';

function loopWith(importModule: (url: string) => Promise<unknown>) {
  const posted: FromTaskWorker[] = [];
  const loop = startTaskWorkerLoop({ post: (m) => posted.push(m), nowMs: () => 0, importModule });
  return { loop, posted };
}

const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('startTaskWorkerLoop', () => {
  it('says ready first, and answers unknown kinds and bad built-in input without running', async () => {
    const { loop, posted } = loopWith(async () => ({}));
    expect(posted).toEqual([{ type: 'ready' }]);
    loop.onMessage({ type: 'run', id: 1, kind: 'nope', input: null, agent: 'a' });
    loop.onMessage({ type: 'run', id: 2, kind: 'busy', input: { ms: -1 }, agent: 'a' });
    loop.onMessage({ type: 'run', id: 3, kind: 'busy', input: { ms: 0 }, agent: 'a' });
    loop.onMessage({ type: 'something else' });
    await flush();
    // One run at a time, in the order they came, each answered with its time in the worker.
    expect(posted.slice(1)).toEqual([
      {
        type: 'done',
        id: 1,
        ok: false,
        error: { code: 'unknown-kind', message: 'no kind "nope" in this worker' },
        ms: 0,
      },
      {
        type: 'done',
        id: 2,
        ok: false,
        error: { code: 'invalid-input', message: 'ms must be a number in [0, 60000]' },
        ms: 0,
      },
      { type: 'done', id: 3, ok: true, result: { agent: 'a', ms: 0 }, ms: 0 },
    ]);
  });

  it('a run of a kind still loading waits for it, and the runs after it wait too; a kind that failed to load fails its runs', async () => {
    let release!: (module: unknown) => void;
    const { loop, posted } = loopWith((url) =>
      url === 'slow:'
        ? new Promise((resolve) => (release = resolve))
        : Promise.reject(new Error('404 not found')),
    );
    loop.onMessage({ type: 'load', kind: 'slow', url: 'slow:' });
    loop.onMessage({ type: 'run', id: 1, kind: 'slow', input: 2, agent: 'a' });
    loop.onMessage({ type: 'load', kind: 'gone', url: 'gone:' });
    await flush();
    loop.onMessage({ type: 'run', id: 2, kind: 'gone', input: 2, agent: 'a' });
    await flush();
    release({ run: (n: number) => n * 3 });
    await flush();
    expect(posted.slice(1)).toEqual([
      { type: 'loaded', kind: 'gone', error: 'could not load gone:: 404 not found' },
      { type: 'loaded', kind: 'slow', error: null },
      { type: 'done', id: 1, ok: true, result: 6, ms: 0 },
      {
        type: 'done',
        id: 2,
        ok: false,
        error: { code: 'failed', message: 'could not load gone:: 404 not found' },
        ms: 0,
      },
    ]);
  });

  it('refuses a module whose validate is not a function', async () => {
    const { loop, posted } = loopWith(async () => ({ run: () => 1, validate: 'yes' }));
    loop.onMessage({ type: 'load', kind: 'odd', url: 'odd:' });
    await flush();
    expect(posted[1]).toEqual({
      type: 'loaded',
      kind: 'odd',
      error: 'odd: exports a validate that is not a function',
    });
  });
});
