import type { AgentId } from '../base/ids';
import type { Millis } from '../base/time';
import { byzantineFaultsTolerated } from '../quorum/byzantine';

/** The application fact each agent publishes its genesis progress under. */
export const GENESIS_FACT_KEY = 'pbft/genesis';

export interface GenesisConfig {
  selfId: AgentId;
  /** The first replica set needs this many agreed members (4 tolerates one faulty replica). */
  minReplicas: number;
  /** At most this many replicas; with more members the smallest ids are taken. */
  maxReplicas: number;
  /** A candidate must stay the same this long before this agent locks on it. */
  settleMs: Millis;
  /** Hex digest of a candidate's text; the first 32 characters name it in facts. */
  digestOf: (text: string) => string;
}

/** What this agent knows of one member: its membership status and its published genesis fact. */
export interface GenesisMember {
  id: AgentId;
  status: 'alive' | 'suspect' | 'dead' | 'left';
  fact: string | null;
}

export interface GenesisInput {
  nowMs: Millis;
  /** The agreed membership (the quorum denominator), self included. */
  agreed: readonly AgentId[];
  /** Every member this agent knows, self included, with their facts. */
  members: readonly GenesisMember[];
}

/** What this agent stored of an earlier run: the set it locked on, or the set it decided. */
export interface GenesisRecord {
  phase: 'locked' | 'decided';
  replicas: AgentId[];
}

export type GenesisOutcome =
  | { kind: 'forming'; detail: string }
  | { kind: 'decided'; replicas: AgentId[]; role: 'replica' | 'client' };

interface Step {
  /** The fact to publish now (null: keep what was published). */
  publish: string | null;
  /** A record to store before publishing (a lock or a decision survives a reload). */
  store: GenesisRecord | null;
  outcome: GenesisOutcome;
}

type Phase = 'p' | 'l' | 's';

/**
 * Agreement on the first replica set, before there is a replica set to agree with (core/agent
 * README, "Genesis"). Every agent proposes its agreed membership; once every member of that
 * candidate proposes the same one, it locks on it (and never proposes another); once every
 * member has locked, it decides. A member locks at most once, so two candidates that share a
 * member cannot both be decided. An agent outside the set, or one that came late, adopts a set
 * that f + 1 of its members announce as decided. Pure: the host feeds it membership and facts.
 */
export class PbftGenesis {
  private candidate: AgentId[] = [];
  private candidateSinceMs: Millis = 0;
  private locked: AgentId[] | null = null;
  private decided: { replicas: AgentId[]; role: 'replica' | 'client' } | null = null;
  private published: string | null = null;

  constructor(
    private readonly config: GenesisConfig,
    stored: GenesisRecord | null = null,
  ) {
    if (stored?.phase === 'decided') {
      const role = stored.replicas.includes(config.selfId) ? 'replica' : 'client';
      this.decided = { replicas: [...stored.replicas], role };
    } else if (stored?.phase === 'locked') {
      this.locked = [...stored.replicas];
    }
  }

  /** The set decided, or null while forming. */
  get outcome(): GenesisOutcome {
    return this.decided === null
      ? { kind: 'forming', detail: this.formingDetail(null) }
      : { kind: 'decided', ...this.decided };
  }

  step(input: GenesisInput): Step {
    if (this.decided !== null) {
      const fact = this.factOf('s', this.decided.replicas);
      return this.result(this.decided.role === 'replica' ? fact : null, null);
    }
    const facts = new Map(input.members.map((m) => [m.id, parseFact(m.fact)]));
    const adopted = this.adoptable(input.members, facts);
    if (adopted !== null) return this.decide(adopted);
    if (this.locked !== null) {
      const digest = this.nameOf(this.locked);
      const allLocked = this.locked.every(
        (id) => id === this.config.selfId || isLockOn(facts.get(id), digest),
      );
      if (allLocked) return this.decide(this.locked);
      return this.result(this.factOf('l', this.locked), null, this.formingDetail(facts));
    }
    const candidate = this.candidateOf(input.agreed);
    if (!sameIds(candidate, this.candidate)) {
      this.candidate = candidate;
      this.candidateSinceMs = input.nowMs;
    }
    if (candidate.length < this.config.minReplicas) {
      return this.result(null, null, this.formingDetail(facts));
    }
    const digest = this.nameOf(candidate);
    const settled = input.nowMs - this.candidateSinceMs >= this.config.settleMs;
    if (settled && this.everyoneProposes(candidate, digest, facts)) {
      this.locked = candidate;
      return this.result(this.factOf('l', candidate), { phase: 'locked', replicas: candidate });
    }
    return this.result(this.factOf('p', candidate), null, this.formingDetail(facts));
  }

  /** Every other member of the candidate proposes (or locked on) it; this agent's own counts. */
  private everyoneProposes(
    candidate: AgentId[],
    digest: string,
    facts: Map<AgentId, ParsedFact | null>,
  ): boolean {
    return candidate.every((id) => id === this.config.selfId || facts.get(id)?.digest === digest);
  }

  private decide(replicas: AgentId[]): Step {
    const role = replicas.includes(this.config.selfId) ? 'replica' : 'client';
    this.decided = { replicas, role };
    const fact = role === 'replica' ? this.factOf('s', replicas) : null;
    return this.result(fact, { phase: 'decided', replicas });
  }

  /**
   * A set f + 1 of its members announce as decided, rebuilt from the members whose facts name
   * it (its digest proves the rebuild), or null.
   */
  private adoptable(
    members: readonly GenesisMember[],
    facts: Map<AgentId, ParsedFact | null>,
  ): AgentId[] | null {
    const byDigest = new Map<string, AgentId[]>();
    for (const member of members) {
      const fact = facts.get(member.id);
      if (fact === null || fact === undefined) continue;
      const ids = byDigest.get(fact.digest) ?? [];
      ids.push(member.id);
      byDigest.set(fact.digest, ids);
    }
    for (const [digest, ids] of byDigest) {
      const announcing = ids.filter((id) => facts.get(id)?.phase === 's').length;
      if (announcing === 0) continue;
      const replicas = [...ids].sort();
      if (this.nameOf(replicas) !== digest) continue;
      if (announcing >= byzantineFaultsTolerated(replicas.length) + 1) return replicas;
    }
    return null;
  }

  private candidateOf(agreed: readonly AgentId[]): AgentId[] {
    return [...agreed].sort().slice(0, this.config.maxReplicas);
  }

  private nameOf(replicas: readonly AgentId[]): string {
    return this.config.digestOf(replicas.join('\n')).slice(0, 32);
  }

  private factOf(phase: Phase, replicas: readonly AgentId[]): string {
    return `${phase}:${replicas.length}:${this.nameOf(replicas)}`;
  }

  private result(publish: string | null, store: GenesisRecord | null, detail?: string): Step {
    const fresh = publish !== null && publish !== this.published ? publish : null;
    if (fresh !== null) this.published = fresh;
    const outcome: GenesisOutcome =
      this.decided === null
        ? { kind: 'forming', detail: detail ?? this.formingDetail(null) }
        : { kind: 'decided', ...this.decided };
    return { publish: fresh, store, outcome };
  }

  private formingDetail(facts: Map<AgentId, ParsedFact | null> | null): string {
    const { minReplicas } = this.config;
    if (this.locked !== null) {
      const digest = this.nameOf(this.locked);
      const waiting = this.locked.filter(
        (id) => id !== this.config.selfId && !isLockOn(facts?.get(id), digest),
      ).length;
      return `locked on ${this.locked.length} replicas; ${waiting} still to lock`;
    }
    if (this.candidate.length < minReplicas) {
      return `waiting for ${minReplicas} agreed members (${this.candidate.length} now)`;
    }
    return `proposing ${this.candidate.length} replicas; waiting for every member to agree`;
  }
}

interface ParsedFact {
  phase: Phase;
  count: number;
  digest: string;
}

function parseFact(text: string | null): ParsedFact | null {
  if (text === null) return null;
  const match = /^([pls]):(\d{1,2}):([0-9a-f]{32})$/.exec(text);
  if (match === null) return null;
  return { phase: match[1] as Phase, count: Number(match[2]), digest: match[3] as string };
}

/** A member's fact shows it locked on (or decided) the set named `digest`. */
function isLockOn(fact: ParsedFact | null | undefined, digest: string): boolean {
  return fact !== undefined && fact !== null && fact.phase !== 'p' && fact.digest === digest;
}

function sameIds(a: readonly AgentId[], b: readonly AgentId[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}
