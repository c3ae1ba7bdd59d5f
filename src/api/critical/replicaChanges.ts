import { asAgentId, type AgentId } from '../../core/base/ids';
import { byzantineFaultsTolerated } from '../../core/quorum/byzantine';
import { PBFT_MAX_REPLICAS } from '../../core/wire/pbftMessages';
import type { CriticalAction, CriticalKind } from './criticalKind';

export const REPLICA_CHANGE_KIND = 'replicas.change';
/** The replicated state's name for the replica set and the votes on changing it. */
export const REPLICA_SET_STATE = 'replicas';

/**
 * The replica set as the replicated state holds it. `epoch` counts the changes applied (the
 * pBFT core starts an epoch per change); `votes` are the current epoch's, by change.
 */
export interface ReplicaSetState {
  epoch: number;
  replicas: AgentId[];
  votes: [string, AgentId[]][];
}

/** What a vote came to, the same on every replica. */
export type ReplicaChangeResult =
  | { status: 'voted'; votes: number; needed: number }
  | { status: 'applied'; epoch: number; replicas: AgentId[] }
  | { status: 'stale'; epoch: number }
  | { status: 'refused'; reason: string };

/** Most changes voted on at once in one epoch (each replica may back several). */
const MAX_OPEN_CHANGES = 2 * PBFT_MAX_REPLICAS;

function changeOf(action: CriticalAction): { op: 'add' | 'remove'; id: AgentId } {
  return typeof action.add === 'string'
    ? { op: 'add', id: action.add as AgentId }
    : { op: 'remove', id: action.remove as AgentId };
}

export function replicaSetState(state: Readonly<Record<string, unknown>>): ReplicaSetState | null {
  const replicas = state.replicas;
  return Array.isArray(replicas) && replicas.length > 0
    ? (state as unknown as ReplicaSetState)
    : null;
}

/**
 * `replicas.change {epoch, add | remove}`: a replica's vote to add or remove one agent. A change
 * applies once f + 1 replicas of the current set voted for it in the current epoch (at least
 * one of them correct: a faulty replica cannot move the set alone); the set then changes by that
 * one member, the epoch moves on and open votes are dropped. Votes from agents outside the set,
 * or for an epoch that is over, change nothing.
 */
export function replicaChangeKind(): CriticalKind {
  return {
    stateName: REPLICA_SET_STATE,
    validate: (action) => {
      if (!Number.isSafeInteger(action.epoch) || (action.epoch as number) < 0) {
        return 'epoch must be a non-negative integer';
      }
      const adds = typeof action.add === 'string';
      const removes = typeof action.remove === 'string';
      if (adds === removes) return 'name exactly one agent to add or to remove';
      asAgentId(String(adds ? action.add : action.remove));
      return undefined;
    },
    apply: (action, { proposer, state }): ReplicaChangeResult => {
      const current = replicaSetState(state);
      if (current === null) return { status: 'refused', reason: 'no replica set yet' };
      if (action.epoch !== current.epoch) return { status: 'stale', epoch: current.epoch };
      if (!current.replicas.includes(proposer)) {
        return { status: 'refused', reason: 'only a replica votes on the replica set' };
      }
      const { op, id } = changeOf(action);
      const member = current.replicas.includes(id);
      if (op === 'add' && (member || current.replicas.length >= PBFT_MAX_REPLICAS)) {
        return { status: 'refused', reason: member ? 'already a replica' : 'the set is full' };
      }
      if (op === 'remove' && (!member || current.replicas.length <= 1)) {
        return { status: 'refused', reason: member ? 'the last replica stays' : 'not a replica' };
      }
      const key = `${op}:${id}`;
      const votes = new Map(current.votes);
      const voters = votes.get(key) ?? [];
      if (!voters.includes(proposer)) {
        if (!votes.has(key) && votes.size >= MAX_OPEN_CHANGES) {
          return { status: 'refused', reason: 'too many open changes' };
        }
        voters.push(proposer);
      }
      votes.set(key, voters);
      const needed = byzantineFaultsTolerated(current.replicas.length) + 1;
      if (voters.length < needed) {
        current.votes = [...votes];
        return { status: 'voted', votes: voters.length, needed };
      }
      current.replicas =
        op === 'add' ? [...current.replicas, id] : current.replicas.filter((r) => r !== id);
      current.epoch++;
      current.votes = [];
      return { status: 'applied', epoch: current.epoch, replicas: [...current.replicas] };
    },
  };
}

/** Seeds the state with the genesis set, unless it names one already (restored, transferred). */
export function seedReplicaSet(state: Record<string, unknown>, replicas: readonly AgentId[]): void {
  if (replicaSetState(state) !== null) return;
  state.epoch = 0;
  state.replicas = [...replicas];
  state.votes = [];
}
