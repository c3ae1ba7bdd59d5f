import type { LoadSummary, AliveFact } from '../wire/swimMessages';
import { aliveStatement, leftStatement } from '../wire/swimStatements';
import type { Gossip } from './gossip';
import type { SwimState } from './swimState';

/** Signing requests waiting for the host at once; more publications are refused. */
export const MAX_PENDING_SIGNS = 64;

export type PendingSign =
  | { kind: 'alive' | 'left'; incarnation: number }
  | { kind: 'load'; version: number; load: LoadSummary }
  | { kind: 'app'; key: string; version: number; value: string };

/**
 * Signatures through the host: `sign` effects out, `signed` inputs back (WebCrypto is
 * asynchronous), with a bounded table of requests in between. Also this agent's own alive and
 * left statements, re-signed at every new incarnation.
 */
export class Signing {
  private readonly pending = new Map<number, PendingSign>();
  private nextRequestId = 1;
  /** The signature of this agent's left statement at its incarnation, once the host gave it. */
  leftSignature: string | null = null;

  constructor(
    private readonly s: SwimState,
    private readonly gossip: Gossip,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  get full(): boolean {
    return this.pending.size >= MAX_PENDING_SIGNS;
  }

  /** The request this answer belongs to, removed from the table; undefined when unknown. */
  take(requestId: number): PendingSign | undefined {
    const pending = this.pending.get(requestId);
    if (pending !== undefined) this.pending.delete(requestId);
    return pending;
  }

  request(bytes: Uint8Array, pending: PendingSign): void {
    if (this.pending.size >= MAX_PENDING_SIGNS) {
      // Only stale requests can fill the table (a host that never answers): drop the oldest.
      const oldest = this.pending.keys().next().value as number;
      this.pending.delete(oldest);
    }
    const requestId = this.nextRequestId;
    this.nextRequestId = this.nextRequestId >= Number.MAX_SAFE_INTEGER ? 1 : this.nextRequestId + 1;
    this.pending.set(requestId, pending);
    this.s.stats.signRequests++;
    this.s.effects.push({ kind: 'sign', requestId, bytes });
  }

  /** Asks for this agent's alive and left statements at its current incarnation. */
  requestSelfSignatures(): void {
    const { id, incarnation } = this.s.self;
    this.request(aliveStatement(id, incarnation), { kind: 'alive', incarnation });
    this.request(leftStatement(id, incarnation), { kind: 'left', incarnation });
  }

  /** A new incarnation: the statements signed for the old one no longer count. */
  forgetSelfSignatures(): void {
    this.leftSignature = null;
  }

  onAliveSigned(incarnation: number, signature: string): void {
    const s = this.s;
    const self = s.self;
    if (incarnation !== self.incarnation) return;
    self.signature = signature;
    const fact: AliveFact = {
      kind: 'alive',
      subject: self.id,
      incarnation: self.incarnation,
      signature,
    };
    s.queue.push(fact);
    // A refutation (or first announcement) goes to every neighbour at once.
    for (const peer of s.links) this.gossip.sendGossip(peer, fact);
  }

  onLeftSigned(incarnation: number, signature: string): void {
    if (incarnation === this.s.self.incarnation) this.leftSignature = signature;
  }
}
