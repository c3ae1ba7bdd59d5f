import { describe, expect, it } from 'vitest';
import { createSeededPrng } from '../core/base/prng';
import { checkKvHistory, type KvHistoryOp, type KvOp, type KvOutput } from './linearizability';

const put = (
  client: number,
  value: string,
  invokeMs: number,
  returnMs: number | null,
  key = 'x',
): KvHistoryOp => ({
  client,
  op: { kind: 'put', key, value },
  invokeMs,
  returnMs,
  output: returnMs === null ? null : { kind: 'put' },
});
const get = (
  client: number,
  value: string | null,
  invokeMs: number,
  returnMs: number,
  key = 'x',
): KvHistoryOp => ({
  client,
  op: { kind: 'get', key },
  invokeMs,
  returnMs,
  output: { kind: 'get', value },
});
const cas = (
  client: number,
  expected: string | null,
  value: string,
  ok: boolean | null,
  invokeMs: number,
  returnMs: number | null,
): KvHistoryOp => ({
  client,
  op: { kind: 'cas', key: 'x', expected, value },
  invokeMs,
  returnMs,
  output: ok === null ? null : { kind: 'cas', ok },
});

describe('linearizability checker', () => {
  it('accepts sequential and concurrent histories that have a linearization', () => {
    expect(checkKvHistory([put(1, 'a', 0, 10), get(2, 'a', 20, 30)])).toEqual({ ok: true });
    // The get overlaps the put: either value is fine.
    expect(checkKvHistory([put(1, 'a', 0, 10), put(1, 'b', 20, 40), get(2, 'a', 25, 30)])).toEqual({
      ok: true,
    });
    expect(checkKvHistory([put(1, 'a', 0, 10), put(1, 'b', 20, 40), get(2, 'b', 25, 30)])).toEqual({
      ok: true,
    });
    expect(
      checkKvHistory([
        get(1, null, 0, 5),
        cas(2, null, 'a', true, 1, 9),
        cas(3, null, 'b', false, 2, 8),
        get(1, 'a', 10, 12),
      ]),
    ).toEqual({ ok: true });
  });

  it('rejects the classic stale read: a read after a completed write that misses it', () => {
    const result = checkKvHistory([put(1, 'a', 0, 10), put(1, 'b', 20, 30), get(2, 'a', 40, 50)]);
    expect(result).toMatchObject({ ok: false, key: 'x' });
  });

  it('rejects two reads that see two writes in opposite orders', () => {
    const history = [
      put(1, 'a', 0, 100),
      put(2, 'b', 0, 100),
      get(3, 'a', 10, 20),
      get(3, 'b', 30, 40),
      get(4, 'b', 10, 20),
      get(4, 'a', 30, 40),
    ];
    expect(checkKvHistory(history).ok).toBe(false);
  });

  it('rejects a compare-and-swap that succeeded twice from the same value', () => {
    expect(
      checkKvHistory([cas(1, null, 'a', true, 0, 10), cas(2, null, 'b', true, 20, 30)]).ok,
    ).toBe(false);
  });

  it('an operation with an unknown outcome may have happened or not', () => {
    expect(checkKvHistory([put(1, 'a', 0, null), get(2, 'a', 10, 20)])).toEqual({ ok: true });
    expect(checkKvHistory([put(1, 'a', 0, null), get(2, null, 10, 20)])).toEqual({ ok: true });
    // But not before it was invoked.
    expect(checkKvHistory([get(2, 'a', 0, 5), put(1, 'a', 10, null)]).ok).toBe(false);
    // And once seen, it does not un-happen.
    expect(
      checkKvHistory([put(1, 'a', 0, null), get(2, 'a', 10, 20), get(2, null, 30, 40)]).ok,
    ).toBe(false);
  });

  it('checks each key on its own', () => {
    expect(
      checkKvHistory([
        put(1, 'a', 0, 10, 'x'),
        get(2, null, 20, 30, 'y'),
        get(2, 'a', 20, 30, 'x'),
      ]),
    ).toEqual({ ok: true });
    expect(checkKvHistory([put(1, 'a', 0, 10, 'x'), get(2, null, 20, 30, 'x')])).toMatchObject({
      ok: false,
      key: 'x',
    });
  });

  it('accepts long histories produced by a real register and finds a single corrupted read in them', () => {
    const prng = createSeededPrng(3);
    const history: KvHistoryOp[] = [];
    let value: string | null = null;
    // Clients issue overlapping operations; each takes effect at a random instant in its interval.
    const pending: { o: KvHistoryOp; atMs: number }[] = [];
    for (let i = 0; i < 300; i++) {
      const invokeMs = i * 3;
      const atMs = invokeMs + prng.nextInt(10);
      const returnMs = atMs + prng.nextInt(10);
      const r = prng.nextInt(3);
      const op: KvOp =
        r === 0
          ? { kind: 'put', key: 'k', value: `v${i}` }
          : r === 1
            ? { kind: 'get', key: 'k' }
            : { kind: 'cas', key: 'k', expected: `v${i - 3}`, value: `c${i}` };
      pending.push({ o: { client: i % 5, op, invokeMs, returnMs, output: null }, atMs });
    }
    pending.sort((a, b) => a.atMs - b.atMs);
    for (const { o } of pending) {
      let output: KvOutput;
      if (o.op.kind === 'put') {
        value = o.op.value;
        output = { kind: 'put' };
      } else if (o.op.kind === 'get') output = { kind: 'get', value };
      else {
        const ok = value === o.op.expected;
        if (ok) value = o.op.value;
        output = { kind: 'cas', ok };
      }
      history.push({ ...o, output });
    }
    expect(checkKvHistory(history)).toEqual({ ok: true });
    const reads = history.filter(
      (o) => o.op.kind === 'get' && (o.output as { value: string | null }).value !== null,
    );
    const victim = reads[Math.floor(reads.length / 2)] as KvHistoryOp;
    victim.output = { kind: 'get', value: 'never-written' };
    expect(checkKvHistory(history).ok).toBe(false);
  });
});
