import { assert } from '../base/assert';

/**
 * Byzantine quorum arithmetic for pBFT over any number of replicas n, not only the 3f + 1 of
 * Castro and Liskov (TOCS 2002, section 2). With f the faults tolerated, a quorum of
 * ceil((n + f + 1) / 2) replicas is the smallest size for which any two quorums share at least
 * f + 1 replicas (so at least one honest replica is in both), and it still exists among the
 * n - f replicas that are honest.
 */

function assertReplicaCount(n: number): void {
  assert(Number.isInteger(n) && n >= 1, `replica count must be a whole number >= 1: ${n}`);
}

/** Faults tolerated among `n` replicas: floor((n - 1) / 3). */
export function byzantineFaultsTolerated(n: number): number {
  assertReplicaCount(n);
  return Math.floor((n - 1) / 3);
}

/** Replicas whose matching votes make a quorum certificate: ceil((n + f + 1) / 2); 2f + 1 at 3f + 1. */
export function byzantineQuorumOf(n: number): number {
  const f = byzantineFaultsTolerated(n);
  return Math.ceil((n + f + 1) / 2);
}

/** Matching replies a client needs before it trusts a result: f + 1 (one of them is honest). */
export function replyCertificateOf(n: number): number {
  return byzantineFaultsTolerated(n) + 1;
}

/** True when `count` distinct replicas of `n` make a Byzantine quorum. */
export function hasByzantineQuorum(count: number, n: number): boolean {
  return count >= byzantineQuorumOf(n);
}
