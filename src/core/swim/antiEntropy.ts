import type { AgentId } from '../base/ids';
import type { SwimStateMessage, SwimSummaryMessage } from '../wire/swimMessages';
import type { Member } from './memberTable';
import type { MembershipFacts } from './membershipFacts';
import { buildEntries, buildSummary, compareSummary, differingBuckets } from './pushPull';
import type { SwimState } from './swimState';

/**
 * Push-pull anti-entropy over a link (memberlist), in four steps: digest of bucket hashes,
 * summaries of the differing buckets, full entries the other side lacks or holds older, and the
 * answer to its want list. `pushPull.ts` builds and compares the pages; this sends them.
 */
export class AntiEntropy {
  constructor(
    private readonly s: SwimState,
    private readonly facts: MembershipFacts,
  ) {}

  /** Step 1: starts an exchange with `peer` (one page budget per round). */
  startSync(peer: AgentId): void {
    this.s.pushPull.started(peer);
    this.sendDigest(peer);
  }

  /** Step 2: summarise the buckets whose hashes differ (no signatures, a few bytes a member). */
  onDigest(from: AgentId, hashes: readonly number[]): void {
    const s = this.s;
    const differ = differingBuckets(s.table.bucketHashes, hashes);
    if (differ.length === 0) return;
    // Start at a random differing bucket, so a long exchange is spread over the table.
    const start = s.prng.nextInt(differ.length);
    const ordered = [...differ.slice(start), ...differ.slice(0, start)];
    const page = buildSummary(s.table, ordered);
    s.stats.summariesSent++;
    s.send(from, { type: 'swim-summary', ...page });
  }

  /** Step 3: send what the peer lacks or holds older, ask for what this agent does. */
  onSummary(from: AgentId, msg: SwimSummaryMessage): void {
    const s = this.s;
    const { push, want, adopt } = compareSummary(s.table, msg.buckets, msg.members);
    for (const member of adopt) s.agreed.adopt(member);
    const page = buildEntries(push, s.config.maxSyncMembers);
    const wanted = want.slice(0, s.config.maxSyncMembers);
    if (page.members.length > 0 || wanted.length > 0) {
      s.stats.statePagesSent++;
      s.send(from, { type: 'swim-state', ...page, want: wanted, reply: false });
    }
    const more = msg.remaining > 0 || page.truncated || want.length > wanted.length;
    if (!more || !s.pushPull.mayContinue(from)) return;
    if (wanted.length > 0) s.pushPull.continueOnReply(from);
    else this.sendDigest(from);
  }

  /** Steps 3 and 4 received: merge, answer a `want` list, follow up when a page was cut short. */
  onState(from: AgentId, msg: SwimStateMessage): number {
    const s = this.s;
    let fresh = 0;
    s.stats.factsReceived += msg.members.length + msg.facts.length;
    for (const { fact, agreed } of msg.members) {
      if (this.facts.applyMembership(fact, from, null, true)) fresh++;
      if (agreed) {
        const member = s.table.get(fact.subject);
        if (member !== undefined) s.agreed.adopt(member);
      }
    }
    for (const fact of msg.facts) if (this.facts.applyFact(fact, from)) fresh++;
    s.stats.factsNew += fresh;
    if (msg.want.length > 0) {
      const wanted: Member[] = [];
      for (const id of msg.want) {
        const member = s.table.get(id);
        if (member !== undefined) wanted.push(member);
      }
      const page = buildEntries(wanted, s.config.maxSyncMembers);
      s.stats.statePagesSent++;
      s.send(from, { type: 'swim-state', ...page, want: [], reply: true });
    }
    if (msg.reply && s.pushPull.takeContinuation(from)) this.sendDigest(from);
    return fresh;
  }

  private sendDigest(peer: AgentId): void {
    const s = this.s;
    s.stats.digestsSent++;
    s.send(peer, { type: 'swim-digest', hashes: Array.from(s.table.bucketHashes) });
  }
}
