import type { AgentId } from '../core/base/ids';
import type { Transport, TransportHandler } from './ports';
import type { TestClock } from './testClock';

/**
 * Test support: links between in-process agents with a 1 ms delay on one virtual clock, which a
 * test can cut (both ways or one) and heal. Nothing outside `*.test.ts` and test support uses it.
 */
export function testLinks(clock: TestClock, ids: readonly AgentId[]) {
  const handlers = new Map<AgentId, TransportHandler>();
  const cuts = new Set<string>();
  const transportFor = (id: AgentId): Transport => ({
    setHandler: (handler) => handlers.set(id, handler),
    send: (peer, frame) => {
      if (cuts.has(`${id}>${peer}`)) return;
      clock.setTimer(clock.nowMs() + 1, () => handlers.get(peer)?.onFrame(id, frame));
    },
    close: () => undefined,
    connect: () => undefined,
  });
  return {
    transportFor,
    /** Every agent's links to every other come up. */
    linkUpAll: () => {
      for (const [id, handler] of handlers) {
        for (const peer of ids) if (peer !== id) handler.onLinkUp(peer);
      }
    },
    cut: (a: AgentId, b: AgentId) => {
      cuts.add(`${a}>${b}`);
      cuts.add(`${b}>${a}`);
    },
    /** Stops the traffic from `from` to `to` only. */
    cutOneWay: (from: AgentId, to: AgentId) => cuts.add(`${from}>${to}`),
    heal: () => cuts.clear(),
    /** The agents `id` is not cut from, itself included. */
    reached: (id: AgentId) => new Set(ids.filter((p) => p === id || !cuts.has(`${id}>${p}`))),
  };
}
