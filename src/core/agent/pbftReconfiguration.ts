import type { AgentId } from '../base/ids';
import type { Millis } from '../base/time';
import { byzantineFaultsTolerated } from '../quorum/byzantine';
import type { MemberStatus } from '../wire/swimMessages';

/**
 * The agent's side of pBFT reconfiguration (README.md, "Reconfiguration"), pure: which change
 * of the replica set this replica votes for, from its membership view, and which newer
 * configuration an agent outside the set may follow, from what replicas announce.
 */

/** The membership fact under which every agent announces the configuration it follows. */
export const CONFIG_FACT_KEY = 'pbft/config';

export interface Configuration {
  epoch: number;
  replicas: readonly AgentId[];
}

export function configFact(epoch: number, name: string): string {
  return `${epoch}:${name}`;
}

export function parseConfigFact(text: string | null): { epoch: number; name: string } | null {
  if (text === null) return null;
  const match = /^(\d{1,10}):([0-9a-f]{32})$/.exec(text);
  if (match === null) return null;
  return { epoch: Number(match[1]), name: match[2] as string };
}

export interface PlannerMember {
  id: AgentId;
  status: MemberStatus;
}

export interface PlannerInput {
  nowMs: Millis;
  replicas: readonly AgentId[];
  members: readonly PlannerMember[];
  /** The agreed membership: a member that left (signed) or was evicted is not in it. */
  agreed: readonly AgentId[];
}

export interface PlannerConfig {
  selfId: AgentId;
  /** The set grows by live members up to this size. */
  maxReplicas: number;
  /** A replica gone (dead, left, or out of the agreed membership) this long is voted out. */
  removeAfterMs: Millis;
  /** A member alive and agreed this long is voted in while the set has room. */
  addAfterMs: Millis;
}

export type ReplicaChange = { op: 'add' | 'remove'; id: AgentId };

/**
 * Picks the change this replica votes for: a replica gone for `removeAfterMs` first (smallest
 * id), else, with room in the set, a member alive for `addAfterMs` (smallest id). Every replica
 * picks by the same rule, so their votes meet on the same change as their views agree; the
 * change applies once f + 1 of them voted for it (api/critical/replicaChanges.ts), so one
 * faulty replica's view cannot move the set. Reloads shorter than `removeAfterMs` change
 * nothing.
 */
export class ReplicaChangePlanner {
  /** Since when each agent has been gone (replicas) or alive and agreed (the others). */
  private readonly since = new Map<AgentId, { gone: boolean; sinceMs: Millis }>();

  constructor(private readonly config: PlannerConfig) {}

  next(input: PlannerInput): ReplicaChange | null {
    const { selfId, maxReplicas, removeAfterMs, addAfterMs } = this.config;
    const status = new Map(input.members.map((m) => [m.id, m.status]));
    const agreed = new Set(input.agreed);
    const watched = new Set<AgentId>();
    const held = (id: AgentId, gone: boolean): Millis => {
      watched.add(id);
      const entry = this.since.get(id);
      if (entry !== undefined && entry.gone === gone) return input.nowMs - entry.sinceMs;
      this.since.set(id, { gone, sinceMs: input.nowMs });
      return 0;
    };
    const removals: AgentId[] = [];
    for (const id of input.replicas) {
      if (id === selfId) continue;
      const s = status.get(id);
      const gone = !agreed.has(id) || s === undefined || s === 'dead' || s === 'left';
      if (held(id, gone) >= removeAfterMs && gone) removals.push(id);
    }
    const additions: AgentId[] = [];
    for (const member of input.members) {
      if (input.replicas.includes(member.id)) continue;
      const live = member.status === 'alive' && agreed.has(member.id);
      if (held(member.id, !live) >= addAfterMs && live) additions.push(member.id);
    }
    for (const id of [...this.since.keys()]) if (!watched.has(id)) this.since.delete(id);
    removals.sort();
    additions.sort();
    if (removals.length > 0) return { op: 'remove', id: removals[0] as AgentId };
    if (additions.length > 0 && input.replicas.length < maxReplicas) {
      return { op: 'add', id: additions[0] as AgentId };
    }
    return null;
  }
}

/**
 * The newest configuration after `known` that f + 1 replicas of `known` announce (one of them
 * is correct, and a correct replica announces only a configuration it executed or followed the
 * same way), with its list from `lists` checked against its name; null when there is none.
 */
export function announcedConfiguration(
  known: Configuration,
  facts: ReadonlyMap<AgentId, string | null>,
  /** The published lists by name, read only when some configuration has f + 1 announcements. */
  lists: () => ReadonlyMap<string, readonly AgentId[]>,
  nameOf: (replicas: readonly AgentId[]) => string,
): Configuration | null {
  const needed = byzantineFaultsTolerated(known.replicas.length) + 1;
  const counts = new Map<string, { epoch: number; name: string; count: number }>();
  for (const id of known.replicas) {
    const fact = parseConfigFact(facts.get(id) ?? null);
    if (fact === null || fact.epoch <= known.epoch) continue;
    const key = `${fact.epoch}:${fact.name}`;
    const entry = counts.get(key) ?? { ...fact, count: 0 };
    entry.count++;
    counts.set(key, entry);
  }
  let best: Configuration | null = null;
  for (const { epoch, name, count } of counts.values()) {
    if (count < needed || (best !== null && epoch <= best.epoch)) continue;
    const replicas = lists().get(name);
    if (replicas !== undefined && nameOf(replicas) === name) best = { epoch, replicas };
  }
  return best;
}
