import type { AgentId } from '../../core/base/ids';
import { createSeededPrng } from '../../core/base/prng';
import { memoryRecordStore } from '../../host/recordStore';
import { anyoneSigns, R1, R2, R3, R4 } from '../../host/pbftHostTestSupport';
import type { Clock, TransportHandler } from '../../host/ports';
import { Critical } from './critical';

/** Test support for the critical tests; nothing outside `*.test.ts` imports it. */

export const REPLICAS = [R1, R2, R3, R4];

/** A virtual clock whose timers run in time order when the test advances it. */
export class TestClock implements Clock {
  private now = 0;
  private next = 1;
  private readonly timers = new Map<number, { atMs: number; callback: () => void }>();

  nowMs(): number {
    return this.now;
  }

  setTimer(atMs: number, callback: () => void): unknown {
    const handle = this.next++;
    this.timers.set(handle, { atMs: Math.max(atMs, this.now), callback });
    return handle;
  }

  clearTimer(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Runs every timer due within `ms` from now, in time order (ties in order of setting). */
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      let due: [number, { atMs: number; callback: () => void }] | null = null;
      for (const entry of this.timers) {
        if (entry[1].atMs <= until && (due === null || entry[1].atMs < due[1].atMs)) due = entry;
      }
      if (due === null) break;
      this.timers.delete(due[0]);
      this.now = due[1].atMs;
      due[1].callback();
    }
    this.now = until;
  }
}

/**
 * Four agents' `Critical`s over links with a 1 ms delay on one virtual clock; `cut` stops the
 * traffic between two agents both ways.
 */
export function criticalMesh(ids: readonly AgentId[] = REPLICAS) {
  const clock = new TestClock();
  const handlers = new Map<AgentId, TransportHandler>();
  const cuts = new Set<string>();
  const criticals = new Map<AgentId, Critical>();
  for (const [index, id] of ids.entries()) {
    criticals.set(
      id,
      new Critical({
        selfId: id,
        transport: {
          setHandler: (handler) => handlers.set(id, handler),
          send: (peer, frame) => {
            if (cuts.has(`${id}>${peer}`)) return;
            clock.setTimer(clock.nowMs() + 1, () => handlers.get(peer)?.onFrame(id, frame));
          },
          close: () => undefined,
          connect: () => undefined,
        },
        clock,
        crypto: anyoneSigns,
        prng: createSeededPrng(index + 1),
        storage: memoryRecordStore(),
        formingWaitMs: 2000,
      }),
    );
  }
  const start = (replicas: readonly AgentId[] = ids) => {
    for (const [id, critical] of criticals) {
      critical.start(replicas, replicas.includes(id) ? 'replica' : 'client');
      critical.setReachable(replicas.length);
    }
    for (const [id, handler] of handlers) {
      for (const peer of ids) if (peer !== id) handler.onLinkUp(peer);
    }
  };
  const cut = (a: AgentId, b: AgentId) => {
    cuts.add(`${a}>${b}`);
    cuts.add(`${b}>${a}`);
  };
  return { clock, criticals, start, cut, of: (id: AgentId) => criticals.get(id) as Critical };
}

/** The outcome of a promise once the clock ran far enough: its value, or its error's code. */
export async function settle<T>(
  promise: Promise<T>,
  clock: TestClock,
  ms = 5000,
): Promise<{ ok: true; value: T } | { ok: false; code: string }> {
  type Outcome = { ok: true; value: T } | { ok: false; code: string };
  const box: { outcome: Outcome | null } = { outcome: null };
  promise.then(
    (value) => (box.outcome = { ok: true, value }),
    (error: { code?: string }) => (box.outcome = { ok: false, code: String(error.code) }),
  );
  for (let elapsed = 0; elapsed < ms && box.outcome === null; elapsed += 10) {
    clock.advance(10);
    // Let the promise callbacks of this turn run before the clock moves on.
    for (let i = 0; i < 4; i++) await Promise.resolve();
  }
  if (box.outcome === null) throw new Error(`not settled within ${ms} ms`);
  return box.outcome;
}
