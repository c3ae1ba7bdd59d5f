import { compareIds, type AgentId } from '../base/ids';
import { hash32 } from '../base/hash32';

/** Virtual nodes per agent by default: the busiest agent near 1.3x the mean at N = 32. */
export const DEFAULT_VIRTUAL_NODES = 64;
/** Virtual nodes per agent at most (the ring of 32 agents is then 32 Ki points). */
export const MAX_VIRTUAL_NODES = 1024;

interface Point {
  at: number;
  member: AgentId;
}

/**
 * A consistent-hash ring (Karger et al. 1997) with virtual nodes (Dynamo, §4.2): every member
 * owns `virtualNodes` points on a 32-bit circle, and a key belongs to the first point at or
 * after its hash, clockwise; its replicas are the next distinct members after that (Dynamo's
 * preference list, §4.3). Immutable: a membership change builds a new ring, and a key moves
 * only to a member that joined or from one that left. The same members give the same ring
 * whatever order they come in.
 */
export class HashRing {
  readonly members: readonly AgentId[];
  private readonly points: readonly Point[];

  constructor(
    members: readonly AgentId[],
    readonly virtualNodes = DEFAULT_VIRTUAL_NODES,
  ) {
    if (!Number.isInteger(virtualNodes) || virtualNodes < 1 || virtualNodes > MAX_VIRTUAL_NODES)
      throw new RangeError(`virtualNodes must be an integer from 1 to ${MAX_VIRTUAL_NODES}`);
    this.members = [...new Set(members)].sort(compareIds);
    const points: Point[] = [];
    for (const member of this.members) {
      for (let v = 0; v < virtualNodes; v++) points.push({ at: hash32(`${member}#${v}`), member });
    }
    // Ties (two points on one spot) go to the smaller id, alike everywhere.
    points.sort((a, b) => a.at - b.at || compareIds(a.member, b.member));
    this.points = points;
  }

  /** The member that owns `key`, or null on an empty ring. */
  ownerOf(key: string): AgentId | null {
    return this.owners(key, 1)[0] ?? null;
  }

  /** The owner of `key` and its replicas: `count` distinct members clockwise (fewer if the ring has fewer). */
  owners(key: string, count: number): AgentId[] {
    const wanted = Math.min(count, this.members.length);
    const out: AgentId[] = [];
    if (wanted <= 0) return out;
    const start = this.firstAtOrAfter(hash32(key));
    for (let i = 0; out.length < wanted && i < this.points.length; i++) {
      const { member } = this.points[(start + i) % this.points.length] as Point;
      if (!out.includes(member)) out.push(member);
    }
    return out;
  }

  /** Each member's share of the circle (its keys' expected fraction), summing to 1. */
  shares(): Map<AgentId, number> {
    const shares = new Map<AgentId, number>(this.members.map((m) => [m, 0]));
    const n = this.points.length;
    for (let i = 0; i < n; i++) {
      const point = this.points[i] as Point;
      const previous = (this.points[(i - 1 + n) % n] as Point).at;
      // The arc from the previous point (exclusive) to this one (inclusive) is this point's.
      const arc = n === 1 ? 2 ** 32 : (point.at - previous + 2 ** 32) % 2 ** 32;
      shares.set(point.member, (shares.get(point.member) as number) + arc / 2 ** 32);
    }
    return shares;
  }

  /** The index of the first point at or after `at`, wrapping to 0 past the last. */
  private firstAtOrAfter(at: number): number {
    let low = 0;
    let high = this.points.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.points[mid] as Point).at < at) low = mid + 1;
      else high = mid;
    }
    return low === this.points.length ? 0 : low;
  }
}
