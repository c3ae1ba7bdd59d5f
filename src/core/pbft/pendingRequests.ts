import type { AgentId } from '../base/ids';
import type { Millis } from '../base/time';
import type { PbftRequest } from '../wire/pbftMessages';
import { requestKey, requestWireBytes } from './batch';

interface Bucket {
  tokens: number;
  atMs: Millis;
}

export interface PendingLimits {
  maxPendingPerClient: number;
  maxPendingRequests: number;
  clientRatePerSecond: number;
  clientBurst: number;
  maxClients: number;
}

export type AddResult = 'added' | 'known' | 'client-rate' | 'pending-full';

/**
 * Requests received and not yet executed. Every replica holds them: the primary orders them,
 * the others time the primary by them. Bounded per client and in all, with a token bucket per
 * client; batches take clients in turn, so one client flooding proposals cannot starve another.
 */
export class PendingRequests {
  private readonly byClient = new Map<AgentId, Map<number, PbftRequest>>();
  private readonly buckets = new Map<AgentId, Bucket>();
  private total = 0;
  /** Arrival order of the pending requests, by key (Maps iterate in insertion order). */
  private readonly arrivals = new Map<string, true>();
  /** Where the next batch starts in the client order (round robin). */
  private turn = 0;

  constructor(private readonly limits: PendingLimits) {}

  get size(): number {
    return this.total;
  }

  hasKey(key: string): boolean {
    return this.arrivals.has(key);
  }

  /** The key of the request waiting longest, or null when none waits. */
  oldestKey(): string | null {
    return (this.arrivals.keys().next().value as string | undefined) ?? null;
  }

  has(client: AgentId, reqNo: number): boolean {
    return this.byClient.get(client)?.has(reqNo) ?? false;
  }

  add(request: PbftRequest, nowMs: Millis): AddResult {
    const mine = this.byClient.get(request.client);
    if (mine?.has(request.reqNo)) return 'known';
    if (!this.takeToken(request.client, nowMs)) return 'client-rate';
    if (
      this.total >= this.limits.maxPendingRequests ||
      (mine?.size ?? 0) >= this.limits.maxPendingPerClient
    ) {
      return 'pending-full';
    }
    if (mine === undefined) this.byClient.set(request.client, new Map([[request.reqNo, request]]));
    else mine.set(request.reqNo, request);
    this.arrivals.set(requestKey(request.client, request.reqNo), true);
    this.total++;
    return 'added';
  }

  remove(client: AgentId, reqNo: number): void {
    const mine = this.byClient.get(client);
    if (mine === undefined || !mine.delete(reqNo)) return;
    this.arrivals.delete(requestKey(client, reqNo));
    this.total--;
    if (mine.size === 0) this.byClient.delete(client);
  }

  /** Drops every request for which `done` says it was executed or went stale. */
  prune(done: (request: PbftRequest) => boolean): void {
    for (const mine of [...this.byClient.values()]) {
      for (const request of [...mine.values()]) {
        if (done(request)) this.remove(request.client, request.reqNo);
      }
    }
  }

  /**
   * The next batch: clients in turn, each giving its lowest request numbers first, skipping
   * requests already in flight; at most `maxRequests` and about `maxBytes`.
   */
  takeBatch(maxRequests: number, maxBytes: number, inFlight: ReadonlySet<string>): PbftRequest[] {
    const clients = [...this.byClient.keys()];
    if (clients.length === 0) return [];
    const queues = clients.map((client) =>
      [...(this.byClient.get(client) as Map<number, PbftRequest>).values()]
        .filter((r) => !inFlight.has(requestKey(r.client, r.reqNo)))
        .sort((a, b) => a.reqNo - b.reqNo),
    );
    const batch: PbftRequest[] = [];
    let bytes = 0;
    const start = this.turn % clients.length;
    this.turn = start + 1;
    for (let progress = true; progress && batch.length < maxRequests;) {
      progress = false;
      for (let i = 0; i < clients.length && batch.length < maxRequests; i++) {
        const queue = queues[(start + i) % clients.length] as PbftRequest[];
        const next = queue[0];
        if (next === undefined) continue;
        const cost = requestWireBytes(next);
        if (batch.length > 0 && bytes + cost > maxBytes) return batch;
        queue.shift();
        batch.push(next);
        bytes += cost;
        progress = true;
      }
    }
    return batch;
  }

  /** Every pending request, in client order then request number. */
  all(): PbftRequest[] {
    const out: PbftRequest[] = [];
    for (const mine of this.byClient.values()) out.push(...mine.values());
    return out;
  }

  private takeToken(client: AgentId, nowMs: Millis): boolean {
    const { clientRatePerSecond, clientBurst, maxClients } = this.limits;
    let bucket = this.buckets.get(client);
    if (bucket === undefined) {
      if (this.buckets.size >= maxClients) {
        // Forget the bucket touched longest ago: a full one, unless that client is flooding now.
        this.buckets.delete(this.buckets.keys().next().value as AgentId);
      }
      bucket = { tokens: clientBurst, atMs: nowMs };
    } else {
      this.buckets.delete(client);
    }
    this.buckets.set(client, bucket);
    const refill = ((nowMs - bucket.atMs) / 1000) * clientRatePerSecond;
    bucket.tokens = Math.min(clientBurst, bucket.tokens + Math.max(0, refill));
    bucket.atMs = nowMs;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
