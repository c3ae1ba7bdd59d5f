import type { PbftRequest } from '../wire/pbftMessages';
import type { DigestFn } from './types';

const encoder = new TextEncoder();

/** The key of a request in per-request tables: client and request number. */
export function requestKey(client: string, reqNo: number): string {
  return `${client}:${reqNo}`;
}

/** The digest a header binds: over each request's client, number and action, not its signature. */
export function batchDigest(requests: readonly PbftRequest[], digestOf: DigestFn): string {
  const content = requests.map((r) => [r.client, r.reqNo, r.action]);
  return digestOf(encoder.encode(JSON.stringify(content)));
}

/** Bytes a batch costs on the wire, close enough to bound batches and replies. */
export function requestWireBytes(request: PbftRequest): number {
  return request.action.length + request.client.length + request.sig.length + 48;
}

/** The action's `kind`, for logs and events; '' when the action is not an object with one. */
export function actionKind(action: string): string {
  try {
    const parsed = JSON.parse(action) as unknown;
    if (typeof parsed === 'object' && parsed !== null && 'kind' in parsed) {
      const kind = (parsed as { kind: unknown }).kind;
      if (typeof kind === 'string') return kind.slice(0, 64);
    }
  } catch {
    // Not JSON: the application refuses it when applied; the log shows no kind.
  }
  return '';
}

/**
 * Batches kept by digest and recency, so a replica can serve batches peers missed. The null
 * batch (no requests), which new views put in gaps, is always known.
 */
export class BatchStore {
  private readonly batches = new Map<string, PbftRequest[]>();

  constructor(
    private readonly capacity: number,
    readonly nullDigest: string,
  ) {}

  get size(): number {
    return this.batches.size;
  }

  get(digest: string): PbftRequest[] | undefined {
    if (digest === this.nullDigest) return [];
    return this.batches.get(digest);
  }

  put(digest: string, requests: PbftRequest[]): void {
    if (digest === this.nullDigest) return;
    this.batches.delete(digest);
    this.batches.set(digest, requests);
    if (this.batches.size > this.capacity) {
      const oldest = this.batches.keys().next().value as string;
      this.batches.delete(oldest);
    }
  }
}
