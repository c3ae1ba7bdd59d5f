import type { AgentId } from '../../core/base/ids';
import type { LedgerRecord } from '../../host/ledgerMachine';
import type { LedgerStatus } from '../../host/ledgerView';
import type { Ledger, LedgerCas, LedgerCommit, LedgerGet } from './ledger';

/**
 * `mesh.ledger`: an ordered log of JSON entries committed by the mesh's Raft group, and a
 * key-value state machine on it. Failures reject with an Error whose `code` says why:
 * `no-leader`, `no-quorum`, `timeout` (the outcome is unknown), `too-large`, `invalid`,
 * `overloaded`, `refused`, `not-leader` (a transfer asked of a follower), `stopped`. Its
 * `maybeCommitted` is true when the write may have reached a log before the failure (it can
 * still commit: check with `get` or `read` before writing again) and false when it will not.
 */
export interface LedgerApi {
  /** Resolves with where `entry` was committed once a majority of the voters hold it. */
  append(entry: unknown): Promise<LedgerCommit>;
  /** Committed entries this agent applied and keeps (the newest 256), in order. */
  read(options?: { fromIndex?: number; limit?: number }): LedgerRecord[];
  status(): LedgerStatus;
  /** Asks the leader (this agent) to hand over to `to`; resolves once `to` leads. */
  transferLeadership(to: AgentId): Promise<{ leader: AgentId; term: number }>;
  put(key: string, value: unknown): Promise<LedgerCommit>;
  /** Sets `key` to `value` only if it holds `expected` (null: absent); says whether it did. */
  cas(key: string, expected: unknown, value: unknown): Promise<LedgerCas>;
  /** A linearizable read (ReadIndex): reflects every write committed before the call. */
  get(key: string): Promise<LedgerGet>;
}

export function ledgerApiOf(ledger: Ledger): LedgerApi {
  return {
    append: (entry) => ledger.append(entry),
    read: (options) => ledger.read(options),
    status: () => ledger.status(),
    transferLeadership: (to) => ledger.transferLeadership(to),
    put: (key, value) => ledger.put(key, value),
    cas: (key, expected, value) => ledger.cas(key, expected, value),
    get: (key) => ledger.get(key),
  };
}
