import type { AgentId } from '../base/ids';

/**
 * Configurations (README.md, "Reconfiguration"). Each committed change of the replica set
 * starts a new epoch; views are numbered within it as `epoch * EPOCH_VIEWS + v`, so every
 * signed statement names its epoch without a new wire field, a statement of one epoch never
 * counts in another, and view numbers still only grow.
 */
export const EPOCH_VIEWS = 2 ** 20;

/** The stable checkpoint everyone starts from: sequence 0, a digest of zeros, no certificate. */
export const GENESIS_DIGEST = '0'.repeat(64);

/** Most epochs: views stay safe integers well below 2^53. */
export const MAX_EPOCH = 2 ** 30;

export function epochOf(view: number): number {
  return Math.floor(view / EPOCH_VIEWS);
}

export function firstViewOf(epoch: number): number {
  return epoch * EPOCH_VIEWS;
}

/**
 * One configuration, as kept in the replicated state (so state transfer carries it): its
 * epoch, its replicas in primary order, the sequence number its epoch starts after, and the
 * digest of the state at that number (its base checkpoint). The base's own state text carries
 * an empty `startDigest` (a text cannot hold its own digest); every later one carries it.
 */
export interface PbftConfiguration {
  epoch: number;
  replicas: AgentId[];
  startSeq: number;
  startDigest: string;
}

/** A configuration read from a state text, or null when the field is not one. */
export function parseConfiguration(value: unknown): PbftConfiguration | null {
  if (typeof value !== 'object' || value === null) return null;
  const c = value as Partial<PbftConfiguration>;
  const valid =
    Number.isSafeInteger(c.epoch) &&
    (c.epoch as number) >= 0 &&
    (c.epoch as number) <= MAX_EPOCH &&
    Number.isSafeInteger(c.startSeq) &&
    (c.startSeq as number) >= 0 &&
    typeof c.startDigest === 'string' &&
    Array.isArray(c.replicas) &&
    c.replicas.length > 0 &&
    c.replicas.every((id) => typeof id === 'string') &&
    new Set(c.replicas).size === c.replicas.length;
  return valid ? (c as PbftConfiguration) : null;
}

export function sameReplicas(a: readonly AgentId[], b: readonly AgentId[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}
