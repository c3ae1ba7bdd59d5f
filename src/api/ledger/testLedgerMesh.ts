import type { AgentId } from '../../core/base/ids';
import { createSeededPrng } from '../../core/base/prng';
import { fixedId } from '../../core/base/testSupport';
import type { LedgerExtension } from '../../host/ledgerMachine';
import { memoryRecordStore } from '../../host/recordStore';
import { TestClock } from '../../host/testClock';
import { testLinks } from '../../host/testLinks';
import { Ledger } from './ledger';

/** Test support for the ledger tests; nothing outside `*.test.ts` imports it. */

export const A = fixedId('a');
export const B = fixedId('b');
export const C = fixedId('c');
export const D = fixedId('d');

/**
 * One `Ledger` per agent over 1 ms links on one virtual clock. `cut` stops the traffic between
 * two agents both ways, and each agent reaches exactly the agents it is not cut from.
 */
export function ledgerMesh(
  ids: readonly AgentId[],
  options: { formingWaitMs?: number; extensions?: (id: AgentId) => LedgerExtension[] } = {},
) {
  const clock = new TestClock();
  const links = testLinks(clock, ids);
  const ledgers = new Map<AgentId, Ledger>();
  for (const [index, id] of ids.entries()) {
    ledgers.set(
      id,
      new Ledger({
        selfId: id,
        transport: links.transportFor(id),
        clock,
        prng: createSeededPrng(index + 1),
        storage: memoryRecordStore(),
        reached: () => links.reached(id),
        formingWaitMs: options.formingWaitMs ?? 2000,
        extensions: options.extensions?.(id) ?? [],
      }),
    );
  }
  const of = (id: AgentId) => ledgers.get(id) as Ledger;
  /** Every agent starts with `voters` as the first group and its links up. */
  const start = (voters: readonly AgentId[] = ids) => {
    for (const ledger of ledgers.values()) ledger.start(voters);
    links.linkUpAll();
  };
  /** The agent every agent not cut off names as its leader, once they agree. */
  const leader = (among: readonly AgentId[] = ids): AgentId | null => {
    const named = new Set(among.map((id) => of(id).coordinator()?.leader ?? null));
    const only = [...named][0] ?? null;
    return named.size === 1 && only !== null && of(only).isLeader ? only : null;
  };
  const { cut, cutOneWay, heal } = links;
  return { clock, ledgers, of, start, cut, cutOneWay, heal, leader };
}
