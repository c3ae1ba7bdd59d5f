import type { AgentId } from '../base/ids';
import type { Millis } from '../base/time';
import { byzantineFaultsTolerated } from '../quorum/byzantine';

/** The application fact each agent publishes its genesis progress under. */
export const GENESIS_FACT_KEY = 'pbft/genesis';
/** The same for Raft's first voters (the same rule decides them). */
export const RAFT_GENESIS_FACT_KEY = 'raft/genesis';

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
  /**
   * Replica lists found anywhere (the shared document), by name. Untrusted: a list is used only
   * when it hashes to its name and f + 1 of its members announce that name as decided.
   */
  knownSets?: ReadonlyMap<string, readonly AgentId[]>;
}

/** What this agent stored of an earlier run: the set it locked on, or the set it decided. */
export interface GenesisRecord {
  phase: 'locked' | 'decided';
  replicas: AgentId[];
}

export type GenesisOutcome =
  | { kind: 'forming'; detail: string }
  | { kind: 'decided'; replicas: AgentId[]; role: 'replica' | 'client' };

export interface GenesisStep {
  /** The fact to publish now (null: keep what was published). */
  publish: string | null;
  /** A record to store before publishing (a lock or a decision survives a reload). */
  store: GenesisRecord | null;
  outcome: GenesisOutcome;
}

type Phase = 'p' | 'l' | 's';

interface ParsedFact {
  phase: Phase;
  digest: string;
}

/** Sets this agent proposed and remembers, so it can join a lock others took on one of them. */
const PROPOSALS_REMEMBERED = 16;

/**
 * Agreement on the first replica set, before there is a replica set to agree with (README.md,
 * "Genesis"). Every agent proposes its agreed membership; once every member of that candidate
 * proposes it, it locks on it; an agent that proposed a set another member locked on locks on it
 * too; once every member has locked, it decides. An agent locks at most once, so two sets that
 * share a member cannot both be decided. An agent outside the set, or one that came late, adopts
 * a set of at least `minReplicas` that f + 1 of its members announce as decided. Pure: the host
 * feeds it membership and facts.
 */
export class PbftGenesis {
  private candidate: AgentId[] = [];
  private candidateSinceMs: Millis = 0;
  private readonly proposed = new Map<string, AgentId[]>();
  private locked: AgentId[] | null = null;
  private decided: { replicas: AgentId[]; role: 'replica' | 'client' } | null = null;
  private published: string | null = null;

  constructor(
    private readonly config: GenesisConfig,
    stored: GenesisRecord | null = null,
  ) {
    if (stored?.phase === 'decided') {
      this.decided = { replicas: [...stored.replicas], role: this.roleIn(stored.replicas) };
    } else if (stored?.phase === 'locked') {
      this.locked = [...stored.replicas];
    }
  }

  /** The set decided, or null while forming. */
  get outcome(): GenesisOutcome {
    return this.decided === null
      ? { kind: 'forming', detail: this.formingDetail(new Map()) }
      : { kind: 'decided', ...this.decided };
  }

  /** The name a replica list goes by in facts (and in the shared document). */
  nameOf(replicas: readonly AgentId[]): string {
    return replicaListName(replicas, this.config.digestOf);
  }

  step(input: GenesisInput): GenesisStep {
    if (this.decided !== null) {
      const role = this.decided.role;
      return this.result(role === 'replica' ? this.factOf('s', this.decided.replicas) : null, null);
    }
    const facts = new Map(input.members.map((m) => [m.id, parseFact(m.fact)]));
    const adopted = this.adoptable(input, facts);
    if (adopted !== null) return this.decide(adopted);
    if (this.locked === null) {
      const joined = this.lockOthersTook(facts);
      if (joined !== null) return this.lock(joined, facts);
    }
    if (this.locked !== null) {
      const digest = this.nameOf(this.locked);
      const self = this.config.selfId;
      if (this.locked.every((id) => id === self || isLockOn(facts.get(id), digest))) {
        return this.decide(this.locked);
      }
      return this.result(this.factOf('l', this.locked), null, facts);
    }
    const candidate = [...input.agreed].sort().slice(0, this.config.maxReplicas);
    if (!sameIds(candidate, this.candidate)) {
      this.candidate = candidate;
      this.candidateSinceMs = input.nowMs;
    }
    // Too few, or this agent is not among the smallest ids: it waits to adopt the set.
    if (candidate.length < this.config.minReplicas || !candidate.includes(this.config.selfId)) {
      return this.result(null, null, facts);
    }
    const digest = this.nameOf(candidate);
    this.remember(digest, candidate);
    const settled = input.nowMs - this.candidateSinceMs >= this.config.settleMs;
    const everyone = candidate.every(
      (id) => id === this.config.selfId || facts.get(id)?.digest === digest,
    );
    if (settled && everyone) return this.lock(candidate, facts);
    return this.result(this.factOf('p', candidate), null, facts);
  }

  private lock(replicas: AgentId[], facts: Map<AgentId, ParsedFact | null>): GenesisStep {
    this.locked = replicas;
    const record: GenesisRecord = { phase: 'locked', replicas };
    return this.result(this.factOf('l', replicas), record, facts);
  }

  private decide(replicas: AgentId[]): GenesisStep {
    const role = this.roleIn(replicas);
    this.decided = { replicas, role };
    const fact = role === 'replica' ? this.factOf('s', replicas) : null;
    return this.result(fact, { phase: 'decided', replicas });
  }

  /**
   * A set this agent proposed that another of its members locked on: every member proposed it
   * when that lock was taken, this agent included, so joining it keeps the one-lock rule.
   */
  private lockOthersTook(facts: Map<AgentId, ParsedFact | null>): AgentId[] | null {
    for (const [digest, replicas] of this.proposed) {
      const lockedByMember = replicas.some(
        (id) => id !== this.config.selfId && isLockOn(facts.get(id), digest),
      );
      if (lockedByMember) return replicas;
    }
    return null;
  }

  /**
   * A set of at least `minReplicas` that f + 1 of its own members announce as decided, or null.
   * The list comes from `knownSets`, else from the members whose facts name it; either way it
   * must hash to its name. A locked agent adopts only the set it locked on.
   */
  private adoptable(input: GenesisInput, facts: Map<AgentId, ParsedFact | null>): AgentId[] | null {
    const namers = new Map<string, AgentId[]>();
    for (const member of input.members) {
      const fact = facts.get(member.id);
      if (fact === null || fact === undefined || fact.phase === 'p') continue;
      namers.set(fact.digest, [...(namers.get(fact.digest) ?? []), member.id]);
    }
    for (const [digest, ids] of namers) {
      const announced = ids.some((id) => facts.get(id)?.phase === 's');
      if (!announced) continue;
      const listed = input.knownSets?.get(digest);
      const replicas = [...(listed ?? ids)].sort();
      if (replicas.length < this.config.minReplicas || this.nameOf(replicas) !== digest) continue;
      if (this.locked !== null && this.nameOf(this.locked) !== digest) continue;
      const members = new Set(replicas);
      const announcing = ids.filter((id) => members.has(id) && facts.get(id)?.phase === 's');
      if (announcing.length >= byzantineFaultsTolerated(replicas.length) + 1) return replicas;
    }
    return null;
  }

  private remember(digest: string, replicas: AgentId[]): void {
    if (this.proposed.has(digest)) return;
    this.proposed.set(digest, replicas);
    if (this.proposed.size > PROPOSALS_REMEMBERED) {
      this.proposed.delete(this.proposed.keys().next().value as string);
    }
  }

  private roleIn(replicas: readonly AgentId[]): 'replica' | 'client' {
    return replicas.includes(this.config.selfId) ? 'replica' : 'client';
  }

  private factOf(phase: Phase, replicas: readonly AgentId[]): string {
    return `${phase}:${replicas.length}:${this.nameOf(replicas)}`;
  }

  private result(
    publish: string | null,
    store: GenesisRecord | null,
    facts: Map<AgentId, ParsedFact | null> = new Map(),
  ): GenesisStep {
    const fresh = publish !== null && publish !== this.published ? publish : null;
    if (fresh !== null) this.published = fresh;
    const outcome: GenesisOutcome =
      this.decided === null
        ? { kind: 'forming', detail: this.formingDetail(facts) }
        : { kind: 'decided', ...this.decided };
    return { publish: fresh, store, outcome };
  }

  private formingDetail(facts: Map<AgentId, ParsedFact | null>): string {
    const { minReplicas, selfId } = this.config;
    if (this.locked !== null) {
      const digest = this.nameOf(this.locked);
      const waiting = this.locked.filter(
        (id) => id !== selfId && !isLockOn(facts.get(id), digest),
      ).length;
      return `locked on ${this.locked.length} replicas; ${waiting} still to lock`;
    }
    if (this.candidate.length < minReplicas) {
      return `waiting for ${minReplicas} agreed members (${this.candidate.length} now)`;
    }
    if (!this.candidate.includes(selfId)) {
      return 'waiting for the replica set of the smallest ids to form';
    }
    return `proposing ${this.candidate.length} replicas; waiting for every member to agree`;
  }
}

/** The name of a replica list: its digest's first 32 hex digits. */
export function replicaListName(
  replicas: readonly AgentId[],
  digestOf: (text: string) => string,
): string {
  return digestOf(replicas.join('\n')).slice(0, 32);
}

function parseFact(text: string | null): ParsedFact | null {
  if (text === null) return null;
  const match = /^([pls]):\d{1,2}:([0-9a-f]{32})$/.exec(text);
  if (match === null) return null;
  return { phase: match[1] as Phase, digest: match[2] as string };
}

/** A member's fact shows it locked on (or decided) the set named `digest`. */
function isLockOn(fact: ParsedFact | null | undefined, digest: string): boolean {
  return fact !== undefined && fact !== null && fact.phase !== 'p' && fact.digest === digest;
}

function sameIds(a: readonly AgentId[], b: readonly AgentId[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}
