import { CRDT_LANE_TYPE_CODE } from '../core/wire/lanes';
import { FrameLanes } from '../host/frameLanes';
import type { Transport } from '../host/ports';
import { MemoryPersistence } from '../crdt/persistence';
import { SharedState } from '../crdt/sharedState';
import type { DocSyncConfig } from '../crdt/config';
import type { AgentCompanion, CompanionContext } from './cluster';

export interface DocCompanionOptions {
  agentCount: number;
  sync?: Partial<DocSyncConfig>;
}

/**
 * The shared document beside every simulated agent, on the agent's own links (a frame lane),
 * with its storage kept in memory across restarts unless `wipeStorage` is called first.
 */
export class DocCompanion implements AgentCompanion {
  readonly states: (SharedState | null)[];
  private readonly storage: Uint8Array[][];

  constructor(private readonly options: DocCompanionOptions) {
    this.states = new Array<SharedState | null>(options.agentCount).fill(null);
    this.storage = Array.from({ length: options.agentCount }, () => []);
  }

  boot(context: CompanionContext): Transport {
    const lanes = new FrameLanes(context.transport);
    const storage = this.storage[context.agent] as Uint8Array[];
    this.states[context.agent] = new SharedState({
      room: 'sim',
      selfId: context.id,
      transport: lanes.lane(CRDT_LANE_TYPE_CODE),
      clock: context.clock,
      random: context.prng,
      persistence: (doc) => new MemoryPersistence(doc, storage),
      ...(this.options.sync === undefined ? {} : { sync: this.options.sync }),
    });
    return lanes.agentLane;
  }

  halt(agent: number): void {
    this.states[agent]?.stop();
    this.states[agent] = null;
  }

  /** The next restart of `agent` starts from nothing (a tab whose storage was cleared). */
  wipeStorage(agent: number): void {
    (this.storage[agent] as Uint8Array[]).length = 0;
  }

  state(agent: number): SharedState {
    const state = this.states[agent];
    if (state === null || state === undefined) throw new Error(`agent ${agent} is down`);
    return state;
  }
}
