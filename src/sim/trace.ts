/** Kinds of trace records; the codes feed the hash, so they must stay stable. */
export const TraceKind = {
  deliver: 1,
  drop: 2,
  timer: 3,
  linkOpen: 4,
  peerClosed: 5,
  hostEvent: 6,
  fault: 7,
} as const;
export type TraceKind = (typeof TraceKind)[keyof typeof TraceKind];

const KIND_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(TraceKind).map(([name, code]) => [code, name]),
);

export interface TraceRecord {
  timeMs: number;
  kind: string;
  agent: number;
  peer: number;
  /** Kind-specific: the frame's type code for deliveries, a cause or event code otherwise. */
  detail: number;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const FIELDS = 5;

/**
 * The event trace: every record is folded into a running FNV-1a hash (so two runs can be
 * compared with one number), and the most recent ones are kept in a fixed ring of numbers for
 * reading after a failure. Times enter the hash as whole microseconds.
 */
export class Trace {
  count = 0;
  private hash = FNV_OFFSET;
  private readonly ring: Float64Array;

  constructor(readonly keepLast = 0) {
    this.ring = new Float64Array(keepLast * FIELDS);
  }

  record(timeMs: number, kind: TraceKind, agent: number, peer: number, detail: number): void {
    const micros = Math.round(timeMs * 1000);
    let h = this.hash;
    h = mixWord(h, micros >>> 0);
    h = mixWord(h, Math.floor(micros / 4294967296) >>> 0);
    h = mixWord(h, kind);
    h = mixWord(h, agent >>> 0);
    h = mixWord(h, peer >>> 0);
    h = mixWord(h, detail >>> 0);
    this.hash = h;
    if (this.keepLast > 0) {
      const at = (this.count % this.keepLast) * FIELDS;
      const ring = this.ring;
      ring[at] = timeMs;
      ring[at + 1] = kind;
      ring[at + 2] = agent;
      ring[at + 3] = peer;
      ring[at + 4] = detail;
    }
    this.count++;
  }

  /** The hash of everything recorded so far, as 8 hex digits. */
  hashHex(): string {
    return (this.hash >>> 0).toString(16).padStart(8, '0');
  }

  /** The last records kept, oldest first. */
  recent(): TraceRecord[] {
    const kept = Math.min(this.count, this.keepLast);
    const records: TraceRecord[] = [];
    for (let i = this.count - kept; i < this.count; i++) {
      const at = (i % this.keepLast) * FIELDS;
      const field = (offset: number) => this.ring[at + offset] as number;
      records.push({
        timeMs: field(0),
        kind: KIND_NAMES[field(1)] ?? String(field(1)),
        agent: field(2),
        peer: field(3),
        detail: field(4),
      });
    }
    return records;
  }
}

/** FNV-1a over the four bytes of a 32-bit word, low byte first. */
function mixWord(hash: number, word: number): number {
  let h = hash;
  h = Math.imul(h ^ (word & 0xff), FNV_PRIME);
  h = Math.imul(h ^ ((word >>> 8) & 0xff), FNV_PRIME);
  h = Math.imul(h ^ ((word >>> 16) & 0xff), FNV_PRIME);
  h = Math.imul(h ^ (word >>> 24), FNV_PRIME);
  return h;
}
