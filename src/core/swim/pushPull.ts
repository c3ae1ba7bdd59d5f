import type { AgentId } from '../base/ids';
import { MAX_SYNC_FACTS } from '../wire/swimCodec';
import {
  MAX_SUMMARY_MEMBERS,
  SYNC_BUCKETS,
  type MemberSummary,
  type MemberStatus,
  type SwimFact,
  type SyncMember,
} from '../wire/swimMessages';
import { inDigest, membershipFactOf, type Member, type MemberTable } from './memberTable';
import { compareStates, STATUS_RANK } from './precedence';

/**
 * Estimated JSON bytes one page of full entries may fill, under the 64 KiB frame limit with
 * room to spare. The estimate counts the long fields exactly (ids, signatures, values) and a
 * margin for the rest, so a page never trips the encoder's limit.
 */
export const SYNC_PAGE_BYTES = 48 * 1024;

const ID_CHARS = 64;
const SIGNATURE_CHARS = 128;
const FIELD_MARGIN = 80;
const STATUS_OF_RANK: readonly MemberStatus[] = ['alive', 'suspect', 'dead', 'left'];

/** Buckets whose hashes differ between two digests. */
export function differingBuckets(mine: ArrayLike<number>, theirs: readonly number[]): number[] {
  const differ: number[] = [];
  for (let b = 0; b < SYNC_BUCKETS; b++) if (mine[b] !== theirs[b]) differ.push(b);
  return differ;
}

export function summaryOf(member: Member): MemberSummary {
  const code = STATUS_RANK[member.status] | (member.agreed ? 4 : 0);
  return [member.id, member.incarnation, code, member.appVersionSum];
}

export interface SummaryPage {
  buckets: number[];
  members: MemberSummary[];
  remaining: number;
}

/**
 * Summaries of the members in whole buckets, taken in the given order until the page is full.
 * Only what the digest covers (live or agreed members) and can be stated is summarised.
 */
export function buildSummary(
  table: MemberTable,
  buckets: readonly number[],
  max = MAX_SUMMARY_MEMBERS,
): SummaryPage {
  const page: SummaryPage = { buckets: [], members: [], remaining: 0 };
  for (let i = 0; i < buckets.length; i++) {
    const bucket = buckets[i] as number;
    const summaries: MemberSummary[] = [];
    for (const member of table.membersInBucket(bucket)) {
      if (inDigest(member) && membershipFactOf(member) !== null) summaries.push(summaryOf(member));
    }
    if (page.members.length + summaries.length > max && page.buckets.length > 0) {
      page.remaining = buckets.length - i;
      break;
    }
    page.buckets.push(bucket);
    for (const summary of summaries) {
      if (page.members.length >= max) break;
      page.members.push(summary);
    }
  }
  return page;
}

export interface SummaryComparison {
  /** Members this agent holds newer (or the peer lacks): send them in full. */
  push: Member[];
  /** Members the peer holds newer (or this agent lacks): ask for them in full. */
  want: AgentId[];
  /** Members the peer counts as agreed and this agent holds live: adopt the flag. */
  adopt: Member[];
}

/** What to exchange after reading a peer's summary of some buckets. */
export function compareSummary(
  table: MemberTable,
  buckets: readonly number[],
  summaries: readonly MemberSummary[],
): SummaryComparison {
  const result: SummaryComparison = { push: [], want: [], adopt: [] };
  const listed = new Set<AgentId>();
  for (const [id, incarnation, code, appSum] of summaries) {
    listed.add(id);
    const status = STATUS_OF_RANK[code & 3] as MemberStatus;
    const agreed = (code & 4) !== 0;
    const member = table.get(id);
    if (member === undefined) {
      // Only live members can be introduced (by their signed alive statement).
      if (status === 'alive' || status === 'suspect') result.want.push(id);
      continue;
    }
    const order = compareStates(member, { status, incarnation });
    if (order < 0) {
      result.want.push(id);
    } else if (order > 0) {
      result.push.push(member);
    } else {
      if (agreed && !member.agreed && (member.status === 'alive' || member.status === 'suspect')) {
        result.adopt.push(member);
      }
      const appsDiffer = appSum !== member.appVersionSum;
      if (appsDiffer) result.want.push(id);
      if (appsDiffer || (!agreed && member.agreed)) result.push.push(member);
    }
  }
  for (const bucket of buckets) {
    for (const member of table.membersInBucket(bucket)) {
      if (!listed.has(member.id) && inDigest(member)) result.push.push(member);
    }
  }
  return result;
}

function factBytes(fact: SwimFact): number {
  switch (fact.kind) {
    case 'alive':
    case 'left':
    case 'load':
      return ID_CHARS + SIGNATURE_CHARS + FIELD_MARGIN;
    case 'suspect':
    case 'dead':
      return 2 * ID_CHARS + FIELD_MARGIN;
    case 'app':
      return ID_CHARS + SIGNATURE_CHARS + FIELD_MARGIN + fact.key.length + 2 * fact.value.length;
  }
}

export interface EntriesPage {
  members: SyncMember[];
  facts: SwimFact[];
  /** Some members did not fit. */
  truncated: boolean;
}

/** Full entries (membership fact, agreed flag, load and application facts), within one page. */
export function buildEntries(members: readonly Member[], maxMembers: number): EntriesPage {
  const page: EntriesPage = { members: [], facts: [], truncated: false };
  let bytes = 0;
  for (const member of members) {
    const fact = membershipFactOf(member);
    if (fact === null) continue;
    const extras: SwimFact[] = [];
    if (member.load !== null) extras.push(member.load);
    if (member.app !== null) extras.push(...member.app.values());
    let size = factBytes(fact) + 20;
    for (const extra of extras) size += factBytes(extra);
    if (
      page.members.length >= maxMembers ||
      page.facts.length + extras.length > MAX_SYNC_FACTS ||
      bytes + size > SYNC_PAGE_BYTES
    ) {
      page.truncated = true;
      break;
    }
    page.members.push({ fact, agreed: member.agreed });
    for (const extra of extras) page.facts.push(extra);
    bytes += size;
  }
  return page;
}

interface Session {
  pagesLeft: number;
  /** Send the next digest when the answer to our `want` list arrives. */
  continueOnReply: boolean;
}

/**
 * Bookkeeping of anti-entropy exchanges (push-pull as in memberlist, in four steps so that
 * nothing is shipped twice): digest (32 hashes) -> summary of the differing buckets (ids,
 * incarnations, status codes; no signatures) -> the entries the summariser lacks and the ids
 * the initiator wants -> those entries. A converged pair exchanges one digest and nothing else.
 * The initiator may follow up, a bounded number of times per round, when a page was cut short.
 */
export class PushPull {
  private readonly sessions = new Map<AgentId, Session>();
  /** Exchanges started this round because a link came up (apart from the round's own). */
  private linkUpSyncs = 0;
  /** Peers linked since the last exchange with them: the next rounds' partners come first. */
  private readonly unsynced = new Set<AgentId>();

  constructor(private readonly maxPagesPerRound: number) {}

  /** A new gossip round: exchanges of the last one are over (keeps the map bounded). */
  newRound(): void {
    this.sessions.clear();
    this.linkUpSyncs = 0;
  }

  /**
   * A link came up. Returns whether to exchange with the peer at once: the first new link of a
   * round is (a healed side or a joiner catches up with one exchange, whatever the round's own
   * exchange was); later ones wait to be the next rounds' partners, so a joiner's eight new
   * links do not fetch the table eight times.
   */
  linkUp(peer: AgentId): boolean {
    if (this.linkUpSyncs > 0 || this.sessions.has(peer)) {
      this.unsynced.add(peer);
      return false;
    }
    this.linkUpSyncs++;
    return true;
  }

  /** A peer linked but not exchanged with since, to be this round's partner; else null. */
  takeUnsynced(isLinked: (peer: AgentId) => boolean): AgentId | null {
    for (const peer of this.unsynced) {
      this.unsynced.delete(peer);
      if (isLinked(peer)) return peer;
    }
    return null;
  }

  /** Starts an exchange with `peer`: it may be followed up to maxPagesPerRound times. */
  started(peer: AgentId): void {
    this.unsynced.delete(peer);
    this.sessions.set(peer, { pagesLeft: this.maxPagesPerRound, continueOnReply: false });
  }

  /** Whether another page may be asked of `peer` in this round (and counts it). */
  mayContinue(peer: AgentId): boolean {
    const session = this.sessions.get(peer);
    if (session === undefined || session.pagesLeft <= 0) return false;
    session.pagesLeft--;
    return true;
  }

  continueOnReply(peer: AgentId): void {
    const session = this.sessions.get(peer);
    if (session !== undefined) session.continueOnReply = true;
  }

  /** True once when a reply from `peer` should be followed by the next digest. */
  takeContinuation(peer: AgentId): boolean {
    const session = this.sessions.get(peer);
    if (session === undefined || !session.continueOnReply) return false;
    session.continueOnReply = false;
    return true;
  }

  forget(peer: AgentId): void {
    this.sessions.delete(peer);
    this.unsynced.delete(peer);
  }
}
