import type { AgentId } from '../../core/base/ids';
import { PbftGenesis, type GenesisMember, type GenesisRecord } from '../../core/agent/pbftGenesis';
import type { LoadedRecordStore } from '../../host/recordStore';
import type { MeshSnapshot } from '../../host/meshSnapshot';
import type { Clock } from '../../host/ports';
import { PollingTimer } from '../../host/pollingTimer';
import { sha256Hex } from '../../host/sha256Hex';
import { GENESIS_RECORD_KEY } from './recordKeys';

/** What the driver reads of the agent's membership and writes into its gossip. */
export interface MembershipPort {
  selfId: AgentId;
  agreedMembers(): AgentId[];
  appFact(subject: AgentId, key: string): string | null;
  publishFact(key: string, value: string): void;
  snapshot(): Pick<MeshSnapshot, 'members'>;
}

/**
 * Where decided replica lists are published for agents that come later (the shared document):
 * untrusted storage, since a list counts only when it hashes to a name f + 1 replicas announce.
 */
export interface ReplicaListBoard {
  lists(): ReadonlyMap<string, readonly AgentId[]>;
  publish(name: string, replicas: readonly AgentId[]): void;
}

/** The protocol a genesis forms the first group of (pBFT's replicas, Raft's voters). */
export interface GenesisTarget {
  /** Still forming: what the genesis waits for. */
  setForming(detail: string): void;
  /** The first group is decided: start, as one of it or from outside it. */
  start(members: readonly AgentId[], role: 'replica' | 'client'): void;
  /** The group the protocol follows now (a reconfiguration moves it), once started. */
  currentMembers?(): readonly AgentId[] | null;
  /** How many of that group this agent reaches now (self included). */
  setReachable?(count: number): void;
}

export interface GenesisDriverOptions {
  membership: MembershipPort;
  board: ReplicaListBoard;
  target: GenesisTarget;
  /** The protocol's record store: the lock or decision is kept beside its records. */
  storage: LoadedRecordStore;
  clock: Clock;
  /** The membership fact the progress is published under (`pbft/genesis`, `raft/genesis`). */
  factKey: string;
  /** Agreed members needed before the first group forms. */
  minMembers: number;
  /** At most this many in the first group; with more members the smallest ids are taken. */
  maxMembers: number;
  settleMs?: number;
  /** How often membership is read (and the replicas' reach handed to pBFT). */
  everyMs?: number;
}

const text = new TextEncoder();

/**
 * Runs the genesis agreement over the membership's gossip until a group is decided, then starts
 * the target protocol with it; from then on hands it the number of its members this agent
 * reaches, so a proposal on a minority side fails `no-quorum` early.
 */
export class GenesisDriver {
  private readonly genesis: PbftGenesis;
  private readonly timer: PollingTimer;
  private replicas: AgentId[] | null = null;

  constructor(private readonly options: GenesisDriverOptions) {
    this.timer = new PollingTimer(options.clock, options.everyMs ?? 250, () => this.poll());
    const stored = readRecord(options.storage.records.get(GENESIS_RECORD_KEY));
    this.genesis = new PbftGenesis(
      {
        selfId: options.membership.selfId,
        minReplicas: options.minMembers,
        maxReplicas: options.maxMembers,
        settleMs: options.settleMs ?? 1000,
        digestOf: (value) => sha256Hex(text.encode(value)),
      },
      stored,
    );
  }

  /** Starts on the next timer turn, so kinds an app registers right after createMesh exist
   * before a restored replica re-executes its log. */
  start(): void {
    this.timer.start();
  }

  stop(): void {
    this.timer.stop();
  }

  private poll(): void {
    const snapshot = this.options.membership.snapshot();
    // Genesis runs until the set is decided; from then on only the replicas' reach matters.
    if (this.replicas === null) this.form(snapshot);
    // The group reconfiguration moved to, once there is one.
    const { target } = this.options;
    const members = target.currentMembers?.() ?? this.replicas;
    if (members !== null && target.setReachable !== undefined)
      target.setReachable(reachedCount(snapshot, members));
  }

  private form(snapshot: Pick<MeshSnapshot, 'members'>): void {
    const { membership, target, clock, storage, factKey } = this.options;
    const members: GenesisMember[] = snapshot.members.map((member) => ({
      id: member.id,
      status: member.status,
      fact: membership.appFact(member.id, factKey),
    }));
    const step = this.genesis.step({
      nowMs: clock.nowMs(),
      agreed: membership.agreedMembers(),
      members,
      knownSets: this.options.board.lists(),
    });
    const publish = () => {
      if (step.publish !== null) membership.publishFact(factKey, step.publish);
    };
    // A lock or a decision is stored before it is announced: a reloaded tab keeps its word.
    if (step.store !== null) {
      storage.write(
        { puts: [{ key: GENESIS_RECORD_KEY, value: JSON.stringify(step.store) }], deletes: [] },
        publish,
      );
    } else {
      publish();
    }
    if (step.outcome.kind === 'forming') {
      target.setForming(step.outcome.detail);
      return;
    }
    this.replicas = step.outcome.replicas;
    if (step.outcome.role === 'replica') {
      this.options.board.publish(this.genesis.nameOf(this.replicas), this.replicas);
    }
    target.start(step.outcome.replicas, step.outcome.role);
  }
}

/** How many of `members` this agent reaches now, itself included. */
function reachedCount(
  snapshot: Pick<MeshSnapshot, 'members'>,
  members: readonly AgentId[],
): number {
  const reached = new Set(
    snapshot.members
      .filter((m) => m.self || (m.reached && m.status !== 'dead' && m.status !== 'left'))
      .map((m) => m.id),
  );
  return members.filter((id) => reached.has(id)).length;
}

function readRecord(value: string | undefined): GenesisRecord | null {
  if (value === undefined) return null;
  try {
    const parsed = JSON.parse(value) as GenesisRecord;
    const valid =
      (parsed.phase === 'locked' || parsed.phase === 'decided') &&
      Array.isArray(parsed.replicas) &&
      parsed.replicas.every((id) => typeof id === 'string');
    return valid ? parsed : null;
  } catch {
    return null;
  }
}
