import { RAFT_GENESIS_FACT_KEY } from '../../core/agent/pbftGenesis';
import { shortId, type AgentId } from '../../core/base/ids';
import type { Prng } from '../../core/base/prng';
import { DEFAULT_RAFT_CONFIG } from '../../core/raft/config';
import type { MemoryStore } from '../../crdt/memory/memoryStore';
import type { MemberView } from '../../host/meshSnapshot';
import type { Clock, MeshEvent, Transport } from '../../host/ports';
import type { LoadedRecordStore } from '../../host/recordStore';
import type { LedgerExtension } from '../../host/ledgerMachine';
import type { MembershipPort } from '../genesis/genesisDriver';
import { GenesisDriver } from '../genesis/genesisDriver';
import { memoryGroupListBoard, RAFT_LISTS_PREFIX } from '../genesis/groupListBoard';
import type { CreateMeshOptions } from '../mesh';
import { Ledger } from './ledger';
import { MembershipDriver } from './membershipDriver';
import { raftEventOf } from './raftEvents';
import { RaftMemory } from './raftMemory';

/**
 * Raft's first group needs this many agreed members (3 survives one crash); it grows to
 * `maxVoters` voters as agents join (5 survives two), and further agents are learners.
 */
export const DEFAULT_MIN_VOTERS = 3;
export const DEFAULT_MAX_VOTERS = 5;

export interface LedgerAgentOptions {
  membership: MembershipPort;
  /** The Raft lane of the agent's links. */
  transport: Transport;
  clock: Clock;
  prng: Prng;
  storage: LoadedRecordStore;
  settings: CreateMeshOptions['ledger'];
  emit: (event: MeshEvent) => void;
  /** State machines of other parts on the ledger's log (the task table). */
  extensions?: readonly LedgerExtension[];
}

/**
 * The agent's Raft side: the ledger with the Raft tier of the agreed memory on it, the genesis
 * that forms the first group from the agreed membership, and the driver that grows and shrinks
 * the group as the membership changes. Built before the shared document (which takes its
 * coordinator and memory tier), attached to it once that exists.
 */
export class LedgerAgent {
  readonly ledger: Ledger;
  readonly memory = new RaftMemory();
  private genesis: GenesisDriver | null = null;
  private driver: MembershipDriver | null = null;

  constructor(private readonly options: LedgerAgentOptions) {
    const { membership, clock, emit } = options;
    const settings = options.settings ?? {};
    this.ledger = new Ledger({
      selfId: membership.selfId,
      transport: options.transport,
      clock,
      prng: options.prng,
      storage: options.storage,
      reached: () => reachedIds(membership.snapshot().members),
      extensions: [this.memory, ...(options.extensions ?? [])],
      ...(settings.raft === undefined ? {} : { config: settings.raft }),
      ...(settings.timeoutMs === undefined ? {} : { timeoutMs: settings.timeoutMs }),
      onEvent: (event) => emit({ atMs: clock.nowMs(), ...raftEventOf(event) }),
    });
  }

  /** Starts forming and following the group; the shared memory publishes the voter lists. */
  start(memory: MemoryStore): void {
    const { membership, clock, emit } = this.options;
    const settings = this.options.settings ?? {};
    const maxVoters = settings.maxVoters ?? DEFAULT_MAX_VOTERS;
    this.genesis = new GenesisDriver({
      membership,
      board: memoryGroupListBoard(memory, RAFT_LISTS_PREFIX, maxVoters),
      target: this.ledger,
      storage: this.options.storage,
      clock,
      factKey: RAFT_GENESIS_FACT_KEY,
      minMembers: settings.minVoters ?? DEFAULT_MIN_VOTERS,
      maxMembers: maxVoters,
    });
    this.driver = new MembershipDriver({
      membership,
      ledger: this.ledger,
      clock,
      maxVoters,
      promoteLagEntries: settings.raft?.promoteLagEntries ?? DEFAULT_RAFT_CONFIG.promoteLagEntries,
      ...(settings.removeAfterMs === undefined ? {} : { removeAfterMs: settings.removeAfterMs }),
      ...(settings.addAfterMs === undefined ? {} : { addAfterMs: settings.addAfterMs }),
      onChange: (change, outcome) =>
        emit({
          atMs: clock.nowMs(),
          level: outcome === 'committed' ? 'info' : 'warn',
          kind: 'raft-change',
          peer: change.member,
          detail: `${change.action} ${shortId(change.member)}: ${outcome}`,
        }),
    });
    this.genesis.start();
    this.driver.start();
  }

  stop(): void {
    this.genesis?.stop();
    this.driver?.stop();
    this.ledger.stop();
  }
}

/** The agents the membership reaches now, this one included. */
export function reachedIds(members: readonly MemberView[]): Set<AgentId> {
  const ids = new Set<AgentId>();
  for (const m of members)
    if (m.self || (m.reached && m.status !== 'dead' && m.status !== 'left')) ids.add(m.id);
  return ids;
}
