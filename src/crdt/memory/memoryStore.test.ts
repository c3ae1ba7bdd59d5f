import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { TestClock } from '../testNet';
import { MemoryError } from './limits';
import { MEMORY_MAP_NAME, MemoryStore, type MemoryStoreOptions } from './memoryStore';
import type { MemoryEntry } from './memoryIndex';

const W1 = '1'.repeat(64);
const W2 = '2'.repeat(64);

function replica(selfId: string, clock = new TestClock(), extra: Partial<MemoryStoreOptions> = {}) {
  const doc = new Y.Doc();
  const store = new MemoryStore({ doc, selfId, clock, ...extra });
  return { doc, store, clock };
}

/** Both ways, as sync would. */
function merge(a: Y.Doc, b: Y.Doc): void {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
}

describe('MemoryStore', () => {
  it('stores, retrieves, lists, searches and deletes by namespace, recording writer and time', async () => {
    const { store, clock } = replica(W1);
    clock.advance(1000.75); // wall clocks have fractions; stamps keep whole milliseconds
    const entry = await store.store('tasks', 'job/1', { state: 'queued', tags: ['x'] });
    expect(entry).toMatchObject({
      namespace: 'tasks',
      key: 'job/1',
      writer: W1,
      writtenAtMs: 1000,
    });
    await store.store('tasks', 'job/2', 'Second Job');
    await store.store('notes', 'job/1', 42);
    expect(store.retrieve('tasks', 'job/1')?.value).toEqual({ state: 'queued', tags: ['x'] });
    expect(store.retrieve('notes', 'job/1')?.value).toBe(42);
    expect(store.retrieve('tasks', 'missing')).toBeNull();
    expect(store.list('tasks').map((e) => e.key)).toEqual(['job/1', 'job/2']);
    expect(store.list('tasks', { limit: 1 }).map((e) => e.key)).toEqual(['job/1']);
    expect(store.search({ prefix: 'job/' }).map((e) => `${e.namespace}:${e.key}`)).toEqual([
      'notes:job/1',
      'tasks:job/1',
      'tasks:job/2',
    ]);
    expect(store.search({ text: 'second job' }).map((e) => e.key)).toEqual(['job/2']);
    expect(store.search({ text: 'QUEUED', namespace: 'tasks' }).map((e) => e.key)).toEqual([
      'job/1',
    ]);
    expect(store.namespaces()).toEqual([
      { namespace: 'notes', count: 1 },
      { namespace: 'tasks', count: 2 },
    ]);
    expect(await store.delete('tasks', 'job/1')).toBe(true);
    expect(await store.delete('tasks', 'job/1')).toBe(false);
    expect(store.retrieve('tasks', 'job/1')).toBeNull();
    expect(store.list('tasks').map((e) => e.key)).toEqual(['job/2']);
  });

  it('stores inside a caller’s transaction; reads see it when the transaction ends', () => {
    const { store, doc } = replica(W1);
    let returned: unknown;
    doc.transact(() => {
      void store.store('ns', 'k', 'in a transaction').then((entry) => (returned = entry.value));
      expect(store.retrieve('ns', 'k')).toBeNull();
    });
    expect(store.retrieve('ns', 'k')?.value).toBe('in a transaction');
    return Promise.resolve().then(() => expect(returned).toBe('in a transaction'));
  });

  it('expires an entry at the same absolute time on every replica, and sweeps it later', async () => {
    const a = replica(W1, new TestClock(), { expiredGraceMs: 5000 });
    const b = replica(W2, a.clock);
    await a.store.store('cache', 'k', 'v', { ttlSeconds: 10 });
    merge(a.doc, b.doc);
    expect(b.store.retrieve('cache', 'k')?.expiresAtMs).toBe(10_000);
    a.clock.advance(9999);
    expect(a.store.retrieve('cache', 'k')).not.toBeNull();
    expect(b.store.retrieve('cache', 'k')).not.toBeNull();
    a.clock.advance(1);
    expect(a.store.retrieve('cache', 'k')).toBeNull();
    expect(b.store.retrieve('cache', 'k')).toBeNull();
    expect(a.store.search({})).toEqual([]);
    expect(a.store.sweep()).toBe(0); // within the grace period
    a.clock.advance(5000);
    expect(a.store.sweep()).toBe(1);
    expect(a.doc.getMap(MEMORY_MAP_NAME).size).toBe(0);
  });

  it('merges concurrent writes to one key to the later stamp everywhere, ties by writer', async () => {
    const clock = new TestClock();
    const a = replica(W1, clock);
    const b = replica(W2, clock);
    clock.advance(100);
    await a.store.store('ns', 'same', 'from a');
    clock.advance(1);
    await b.store.store('ns', 'same', 'from b');
    await a.store.store('ns', 'only-a', 1);
    await b.store.store('ns', 'only-b', 2);
    merge(a.doc, b.doc);
    for (const r of [a, b]) {
      expect(r.store.retrieve('ns', 'same')?.value).toBe('from b');
      expect(r.store.list('ns').map((e) => e.key)).toEqual(['only-a', 'only-b', 'same']);
    }
    // Same millisecond, same counter: the larger writer id wins on both sides.
    const c = replica(W1, new TestClock());
    const d = replica(W2, c.clock);
    await c.store.store('ns', 'tie', 'c');
    await d.store.store('ns', 'tie', 'd');
    merge(c.doc, d.doc);
    expect(c.store.retrieve('ns', 'tie')?.value).toBe('d');
    expect(d.store.retrieve('ns', 'tie')?.value).toBe('d');
  });

  it('lets a write made after reading another win, even with a clock behind', async () => {
    const fast = replica(W2, new TestClock());
    const slow = replica(W1, new TestClock());
    fast.clock.advance(60_000);
    await fast.store.store('ns', 'k', 'early but fast clock');
    merge(fast.doc, slow.doc);
    slow.clock.advance(10); // this agent's wall clock is a minute behind
    await slow.store.store('ns', 'k', 'later');
    merge(fast.doc, slow.doc);
    expect(fast.store.retrieve('ns', 'k')?.value).toBe('later');
  });

  it('resolves a delete against a concurrent write by stamp, and sweeps beaten slots', async () => {
    const clock = new TestClock();
    const a = replica(W1, clock);
    const b = replica(W2, clock);
    await a.store.store('ns', 'k', 'v1');
    merge(a.doc, b.doc);
    clock.advance(5);
    await b.store.delete('ns', 'k');
    clock.advance(5);
    await a.store.store('ns', 'k', 'v2');
    merge(a.doc, b.doc);
    expect(b.store.retrieve('ns', 'k')?.value).toBe('v2');
    expect(a.doc.getMap(MEMORY_MAP_NAME).size).toBe(2);
    expect(b.store.sweep()).toBe(1); // b's tombstone is beaten
    merge(a.doc, b.doc);
    expect(a.doc.getMap(MEMORY_MAP_NAME).size).toBe(1);
    expect(a.store.retrieve('ns', 'k')?.value).toBe('v2');
    // An old tombstone goes after the retention, and the entry stays deleted.
    await a.store.delete('ns', 'k');
    clock.advance(3_600_000);
    expect(a.store.sweep()).toBe(1);
    expect(a.store.retrieve('ns', 'k')).toBeNull();
  });

  it('refuses bad requests with a clear error and writes nothing', async () => {
    const { store, doc } = replica(W1);
    const cases: [() => Promise<unknown>, string][] = [
      [() => store.store('bad space', 'k', 1), 'invalid-namespace'],
      [() => store.store('', 'k', 1), 'invalid-namespace'],
      [() => store.store('ns', '', 1), 'invalid-key'],
      [() => store.store('ns', 'a\u0000b', 1), 'invalid-key'],
      [() => store.store('ns', 'x'.repeat(513), 1), 'invalid-key'],
      [() => store.store('ns', 'k', 'x'.repeat(70_000)), 'invalid-value'],
      [() => store.store('ns', 'k', undefined), 'invalid-value'],
      [() => store.store('ns', 'k', 10n), 'invalid-value'],
      [() => store.store('ns', 'k', 1, { ttlSeconds: 0 }), 'invalid-ttl'],
      [() => store.store('ns', 'k', 1, { ttlSeconds: -5 }), 'invalid-ttl'],
    ];
    for (const [attempt, code] of cases) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MemoryError);
      expect((error as MemoryError).code).toBe(code);
    }
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expect(store.store('ns', 'k', circular)).rejects.toThrow(MemoryError);
    expect(doc.getMap(MEMORY_MAP_NAME).size).toBe(0);
  });

  it('ignores and counts slots of the wrong shape or claiming another writer', async () => {
    const { store, doc } = replica(W1);
    const map = doc.getMap(MEMORY_MAP_NAME);
    const good = { v: 1, w: W2, ms: 5, c: 0, x: null, d: false };
    map.set(`ns\u0000k\u0000${W2}`, { ...good, w: W1 }); // claims another writer
    map.set(`ns\u0000k2\u0000${W2}`, { ...good, ms: -1 });
    map.set(`ns\u0000k3\u0000${W2}`, 'not a slot');
    map.set('no separators', good);
    expect(store.invalidSlots).toBe(4);
    expect(store.search({})).toEqual([]);
    map.set(`ns\u0000k\u0000${W2}`, good);
    expect(store.retrieve('ns', 'k')?.writer).toBe(W2);
  });

  it('sends writes to agreed namespaces through the agreement hook first', async () => {
    const plain = replica(W1, new TestClock(), { agreedNamespaces: ['critical'] });
    await expect(plain.store.store('critical', 'k', 1)).rejects.toMatchObject({
      code: 'agreement-unavailable',
    });
    await plain.store.store('free', 'k', 1);
    const proposed: unknown[] = [];
    let refusal: Error | null = null;
    // A stand-in for the consensus layer: agreed writes land in its own table.
    const agreed = new Map<string, MemoryEntry>();
    const listeners = new Set<() => void>();
    const hooked = replica(W1, new TestClock(), {
      agreedNamespaces: ['critical'],
      agreement: {
        propose: async (write) => {
          proposed.push(write);
          if (refusal !== null) throw refusal;
          if (write.action === 'delete') agreed.delete(write.key);
          else agreed.set(write.key, agreedEntry(write.key, write.value));
          for (const listener of listeners) listener();
        },
        entries: () => [...agreed.values()].sort((a, b) => (a.key < b.key ? -1 : 1)),
        onChange: (listener) => {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
      },
    });
    let changes = 0;
    hooked.store.onChange(() => changes++);
    const entry = await hooked.store.store('critical', 'k', 'agreed', { ttlSeconds: 60 });
    expect(entry.value).toBe('agreed');
    expect(changes).toBe(1);
    expect(proposed).toEqual([
      { action: 'store', namespace: 'critical', key: 'k', value: 'agreed', ttlSeconds: 60 },
    ]);
    expect(hooked.store.retrieve('critical', 'k')?.value).toBe('agreed');
    expect(hooked.store.list('critical').map((e) => e.key)).toEqual(['k']);
    expect(hooked.store.search({ text: 'agreed' }).map((e) => e.namespace)).toEqual(['critical']);
    expect(hooked.store.namespaces()).toEqual([{ namespace: 'critical', count: 1 }]);
    // The consensus layer's reason reaches the caller as the error's code; nothing changes.
    refusal = Object.assign(new Error('no quorum here'), { code: 'no-quorum' });
    await expect(hooked.store.delete('critical', 'k')).rejects.toMatchObject({
      code: 'no-quorum',
    });
    refusal = new Error('anything else');
    await expect(hooked.store.delete('critical', 'k')).rejects.toMatchObject({
      code: 'agreement-failed',
    });
    expect(hooked.store.retrieve('critical', 'k')?.value).toBe('agreed');
    refusal = null;
    await expect(hooked.store.delete('critical', 'k')).resolves.toBe(true);
    expect(hooked.store.retrieve('critical', 'k')).toBeNull();
  });

  it('never shows shared-document slots in an agreed namespace: only agreement writes there', () => {
    const clock = new TestClock();
    const { store, doc } = replica(W1, clock, {
      agreedNamespaces: ['critical'],
      agreement: { propose: async () => undefined, entries: () => [], onChange: () => () => {} },
    });
    // Any agent can write the document: a slot planted there must not read as agreed.
    doc.getMap('memory').set(`critical\u0000k\u0000${W2}`, {
      v: 'forged',
      w: W2,
      ms: 1,
      c: 0,
      x: null,
      d: false,
    });
    expect(store.retrieve('critical', 'k')).toBeNull();
    expect(store.search({})).toEqual([]);
  });
});

function agreedEntry(key: string, value: unknown): MemoryEntry {
  return {
    namespace: 'critical',
    key,
    value: value as MemoryEntry['value'],
    writer: W1,
    writtenAtMs: 0,
    expiresAtMs: null,
    stamp: { ms: 0, counter: 1, writer: W1 },
  };
}
