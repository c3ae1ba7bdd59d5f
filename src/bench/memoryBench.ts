import * as Y from 'yjs';
import { MemoryStore } from '../crdt/memory/memoryStore';
import type { Clock } from '../host/ports';
import { percentile } from './percentiles';
import type { BenchResult } from './report';

const ENTRIES = 10_000;
const RETRIEVALS = 100_000;
const SEARCHES = 50;

const fixedClock: Clock = {
  nowMs: () => 1_000_000,
  setTimer: () => null,
  clearTimer: () => undefined,
};

/** The memory store at the spec's size: 10,000 entries, then retrieve and search timed. */
export function runMemoryBench(): Promise<BenchResult[]> {
  const doc = new Y.Doc();
  const store = new MemoryStore({ doc, selfId: 'a'.repeat(64), clock: fixedClock });
  const fillStarted = performance.now();
  doc.transact(() => {
    for (let i = 0; i < ENTRIES; i++) {
      void store.store(`ns${i % 10}`, `key/${i}`, {
        id: i,
        text: `entry number ${i}`,
        tags: ['x', 'y'],
      });
    }
  });
  const fillMs = performance.now() - fillStarted;

  const retrieveUs: number[] = [];
  for (let i = 0; i < RETRIEVALS; i++) {
    const n = (i * 7919) % ENTRIES;
    const started = performance.now();
    const entry = store.retrieve(`ns${n % 10}`, `key/${n}`);
    retrieveUs.push((performance.now() - started) * 1000);
    if (entry === null) throw new Error(`entry ${n} missing`);
  }
  const searchMs: number[] = [];
  for (let i = 0; i < SEARCHES; i++) {
    const started = performance.now();
    // A substring of values over every namespace: the whole store is scanned.
    const found = store.search({ text: `number ${i + 1}9`, limit: 1000 });
    searchMs.push(performance.now() - started);
    if (found.length === 0) throw new Error('search found nothing');
  }
  const conditions =
    `${ENTRIES} entries in 10 namespaces, small JSON values, one Y.Doc in Node; ` +
    `fill ${fillMs.toFixed(0)} ms in one transaction`;
  const retrieveP50Us = percentile(retrieveUs, 50);
  const searchP50 = percentile(searchMs, 50);
  return Promise.resolve([
    {
      name: 'memory store: retrieve, p50',
      value: retrieveP50Us,
      unit: 'µs',
      target: '< 100 µs',
      met: retrieveP50Us < 100,
      conditions: `${conditions}; ${RETRIEVALS} retrievals of random keys; p99 ${percentile(retrieveUs, 99).toFixed(1)} µs`,
    },
    {
      name: 'memory store: substring search over all entries, p50',
      value: searchP50,
      unit: 'ms',
      target: '< 20 ms',
      met: searchP50 < 20,
      conditions: `${conditions}; ${SEARCHES} searches for a value substring across all namespaces (limit 1000, sorted); p99 ${percentile(searchMs, 99).toFixed(1)} ms (the first search pays for compiling the scan)`,
    },
  ]);
}
