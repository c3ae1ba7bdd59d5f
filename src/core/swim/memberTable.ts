import { assert } from '../base/assert';
import type { AgentId } from '../base/ids';
import type { Prng } from '../base/prng';
import type { Millis } from '../base/time';
import {
  SYNC_BUCKETS,
  syncBucketOf,
  type AppFact,
  type LoadFact,
  type MemberStatus,
  type MembershipFact,
} from '../wire/swimMessages';
import type { Suspicion } from './suspicion';

/** One member as this agent knows it. Mutated only through MemberTable.change. */
export interface Member {
  readonly id: AgentId;
  readonly self: boolean;
  status: MemberStatus;
  incarnation: number;
  /** The subject's signature over its alive (or left) statement at `incarnation`, if held. */
  signature: string | null;
  /** Who reported the current suspect or dead state. */
  by: AgentId | null;
  sinceMs: Millis;
  reason: string | null;
  suspicion: Suspicion | null;
  /** Counted in this agent's agreed membership. */
  agreed: boolean;
  /**
   * Heard within the reach window, on its link or through a neighbour (core/links, "Reach");
   * always true for this agent itself.
   */
  reached: boolean;
  /** Heard within the reach window on its own link (a subset of reached; itself: true). */
  heardDirectly: boolean;
  load: LoadFact | null;
  app: Map<string, AppFact> | null;
  /** Sum of application fact versions, so the digest sees a new fact. */
  appVersionSum: number;
  /**
   * Precomputed FNV-1a of the id, as a signed 32-bit integer: the digest entry mixes the state
   * into it. Signed so the field holds small integers, not a boxed number per member.
   */
  readonly idHash: number;
  readonly bucket: number;
  /** This member's current term in its bucket's digest hash (signed 32-bit, as idHash). */
  digestTerm: number;
  /** Where the table's pick array holds this member (MemberTable only). */
  pickIndex: number;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function fnvString(text: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}

function mixWord(hash: number, word: number): number {
  let h = hash;
  h = Math.imul(h ^ (word & 0xff), FNV_PRIME);
  h = Math.imul(h ^ ((word >>> 8) & 0xff), FNV_PRIME);
  h = Math.imul(h ^ ((word >>> 16) & 0xff), FNV_PRIME);
  h = Math.imul(h ^ (word >>> 24), FNV_PRIME);
  return h >>> 0;
}

/**
 * Whether anti-entropy covers a member: live members, and dead ones still in the agreed
 * membership. Members gone for good (left, or dead and evicted) are left out, so two agents
 * that both consider a member gone agree whether or not they still remember it.
 */
export function inDigest(member: Member): boolean {
  return member.status === 'alive' || member.status === 'suspect' || member.agreed;
}

/**
 * A member's term in its bucket's hash: incarnation, a status class (alive and suspect count as
 * one, so a running suspicion, which gossip already spreads, does not trigger syncs), agreed
 * flag and application facts. Load summaries change all the time and are left to gossip.
 */
export function digestTermOf(member: Member): number {
  if (!inDigest(member)) return 0;
  const statusClass = member.status === 'dead' ? 2 : member.status === 'left' ? 3 : 0;
  let h = mixWord(member.idHash, member.incarnation);
  h = mixWord(h, statusClass | (member.agreed ? 4 : 0));
  h = mixWord(h, member.appVersionSum >>> 0);
  return h | 0;
}

/** The membership fact stating a member's current state, or null when it cannot be stated. */
export function membershipFactOf(member: Member): MembershipFact | null {
  const { id: subject, incarnation } = member;
  switch (member.status) {
    case 'alive':
    case 'left':
      return member.signature === null
        ? null
        : { kind: member.status, subject, incarnation, signature: member.signature };
    case 'suspect':
    case 'dead':
      return member.by === null
        ? null
        : { kind: member.status, subject, incarnation, by: member.by };
  }
}

/**
 * Every member this agent knows, itself included, with counters kept up to date on each change
 * (so quorum and view decisions are O(1)) and a digest hash per bucket for anti-entropy (so a
 * sync that finds nothing to do costs 32 numbers, not the table).
 */
export class MemberTable {
  private readonly members = new Map<AgentId, Member>();
  /** Members in an array too, for O(1) random picks; each knows its place (pickIndex). */
  private readonly picks: Member[] = [];
  /**
   * Each bucket's members in the order they were added (anti-entropy pages them so): an array
   * of the members themselves, not a set of ids, is 8 bytes an entry and needs no lookup to read.
   */
  private readonly bucketMembers: Member[][] = Array.from({ length: SYNC_BUCKETS }, () => []);
  readonly bucketHashes = new Uint32Array(SYNC_BUCKETS);
  /** Members alive or suspect, self included. */
  liveCount = 0;
  /** Agreed members not left. */
  agreedCount = 0;
  /** Agreed members alive. */
  agreedAliveCount = 0;
  /** Agreed members alive or suspect and reached (this agent itself always is). */
  agreedReachedCount = 0;
  /** Members dead or left: the only ones housekeeping looks at (evictions, forgetting). */
  readonly gone = new Set<Member>();
  /** Moves on every add, remove and change: a step that left it alone changed no counter. */
  version = 0;
  /** The last member looked up, and its id (null after an add or remove). */
  private lastId: AgentId | null = null;
  private lastMember: Member | undefined = undefined;
  /** Members dead (a subset of `gone`): while none is, no message carries a buddy fact. */
  deadCount = 0;

  get size(): number {
    return this.members.size;
  }

  get(id: AgentId): Member | undefined {
    // Lookups come in runs for one member (probe target: candidate, incarnation, link), and a
    // lookup in a thousand-member table is a cache miss: the last hit is kept.
    if (id === this.lastId) return this.lastMember;
    const member = this.members.get(id);
    if (member !== undefined) {
      this.lastId = id;
      this.lastMember = member;
    }
    return member;
  }

  has(id: AgentId): boolean {
    return this.members.has(id);
  }

  values(): IterableIterator<Member> {
    return this.members.values();
  }

  membersInBucket(bucket: number): readonly Member[] {
    return this.bucketMembers[bucket] as Member[];
  }

  /** A uniformly random member, or undefined when the table is empty. */
  randomMember(prng: Prng): Member | undefined {
    if (this.picks.length === 0) return undefined;
    return this.picks[prng.nextInt(this.picks.length)];
  }

  add(init: Omit<Member, 'idHash' | 'bucket' | 'digestTerm' | 'pickIndex'>): Member {
    assert(!this.members.has(init.id), 'member added twice');
    const member: Member = {
      id: init.id,
      self: init.self,
      status: init.status,
      incarnation: init.incarnation,
      signature: init.signature,
      by: init.by,
      sinceMs: init.sinceMs,
      reason: init.reason,
      suspicion: init.suspicion,
      agreed: init.agreed,
      reached: init.reached,
      heardDirectly: init.heardDirectly,
      load: init.load,
      app: init.app,
      appVersionSum: init.appVersionSum,
      idHash: fnvString(init.id) | 0,
      bucket: syncBucketOf(init.id),
      digestTerm: 0,
      pickIndex: this.picks.length,
    };
    this.lastId = null;
    this.members.set(member.id, member);
    this.picks.push(member);
    (this.bucketMembers[member.bucket] as Member[]).push(member);
    this.count(member, 1);
    return member;
  }

  remove(id: AgentId): void {
    const member = this.members.get(id);
    if (member === undefined) return;
    assert(!member.self, 'self cannot be removed');
    this.lastId = null;
    this.count(member, -1);
    this.members.delete(id);
    // Removals are rare (a member forgotten); the splice keeps the others in order.
    const inBucket = this.bucketMembers[member.bucket] as Member[];
    const at = inBucket.indexOf(member);
    assert(at >= 0, 'member missing from its bucket');
    inBucket.splice(at, 1);
    const last = this.picks.pop() as Member;
    if (last !== member) {
      this.picks[member.pickIndex] = last;
      last.pickIndex = member.pickIndex;
    }
  }

  /** Applies a change to a member, keeping counters and digest hashes right. */
  change(member: Member, mutate: (m: Member) => void): void {
    this.count(member, -1);
    mutate(member);
    this.count(member, 1);
  }

  private count(member: Member, sign: 1 | -1): void {
    this.version++;
    const live = member.status === 'alive' || member.status === 'suspect';
    if (live) this.liveCount += sign;
    if (member.agreed && member.status !== 'left') this.agreedCount += sign;
    if (member.agreed && member.status === 'alive') this.agreedAliveCount += sign;
    if (member.agreed && live && member.reached) this.agreedReachedCount += sign;
    if (member.status === 'dead' || member.status === 'left') {
      if (sign === 1) this.gone.add(member);
      else this.gone.delete(member);
      if (member.status === 'dead') this.deadCount += sign;
    }
    if (sign === 1) member.digestTerm = digestTermOf(member);
    const b = member.bucket;
    this.bucketHashes[b] = ((this.bucketHashes[b] as number) + sign * member.digestTerm) >>> 0;
  }

  /** Recounts everything from scratch and compares (invariants, now and then). */
  check(): void {
    let live = 0;
    let agreed = 0;
    let agreedAlive = 0;
    let agreedReached = 0;
    const hashes = new Uint32Array(SYNC_BUCKETS);
    for (const m of this.members.values()) {
      assert(Number.isInteger(m.incarnation) && m.incarnation >= 0, `bad incarnation of ${m.id}`);
      assert((m.status === 'suspect') === (m.suspicion !== null), `suspicion out of step: ${m.id}`);
      assert(
        m.status === 'suspect' || m.status === 'dead' || m.signature !== null || m.self,
        `alive or left member without signature: ${m.id}`,
      );
      assert(m.digestTerm === digestTermOf(m), `stale digest term of ${m.id}`);
      if (m.status === 'alive' || m.status === 'suspect') live++;
      if (m.agreed && m.status !== 'left') agreed++;
      if (m.agreed && m.status === 'alive') agreedAlive++;
      const isLive = m.status === 'alive' || m.status === 'suspect';
      if (m.agreed && isLive && m.reached) agreedReached++;
      assert(!m.self || m.reached, 'this agent does not reach itself');
      hashes[m.bucket] = ((hashes[m.bucket] as number) + m.digestTerm) >>> 0;
      assert(this.picks[m.pickIndex] === m, `pick index broken for ${m.id}`);
    }
    assert(this.picks.length === this.members.size, 'pick array out of step');
    let inBuckets = 0;
    for (let b = 0; b < SYNC_BUCKETS; b++) {
      for (const m of this.bucketMembers[b] as Member[]) {
        // In the pick array at its place: a current member, found without a map lookup.
        assert(m.bucket === b && this.picks[m.pickIndex] === m, `bucket list broken for ${m.id}`);
        inBuckets++;
      }
    }
    assert(inBuckets === this.members.size, 'bucket lists out of step');
    let gone = 0;
    let dead = 0;
    for (const m of this.members.values()) {
      if (m.status === 'dead' || m.status === 'left') gone++;
      if (m.status === 'dead') dead++;
    }
    assert(gone === this.gone.size, 'set of gone members out of step');
    assert(dead === this.deadCount, `dead count ${this.deadCount}, actual ${dead}`);
    assert(live === this.liveCount, `live count ${this.liveCount}, actual ${live}`);
    assert(agreed === this.agreedCount, `agreed count ${this.agreedCount}, actual ${agreed}`);
    assert(
      agreedAlive === this.agreedAliveCount,
      `agreed alive count ${this.agreedAliveCount}, actual ${agreedAlive}`,
    );
    assert(
      agreedReached === this.agreedReachedCount,
      `agreed reached count ${this.agreedReachedCount}, actual ${agreedReached}`,
    );
    for (let b = 0; b < SYNC_BUCKETS; b++) {
      assert(hashes[b] === this.bucketHashes[b], `digest hash of bucket ${b} out of step`);
    }
  }
}
