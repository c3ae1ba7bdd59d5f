import { DEFAULT_AUCTION_WEIGHTS, DEFAULT_MATCH_THRESHOLD } from './auction';
import { DEFAULT_VIRTUAL_NODES } from './hashRing';
import { DEFAULT_REBALANCE_OPTIONS } from './rebalance';
import { DEFAULT_STEAL_OPTIONS } from './stealing';
import type { TaskNodeConfig } from './taskTypes';

/** What a TaskNode is set to unless the agent says otherwise (all but the agent's own facts). */
export type TaskSettings = Omit<
  TaskNodeConfig,
  'workers' | 'runsPerWorker' | 'capabilities' | 'digestOf'
>;

export const DEFAULT_TASK_SETTINGS: TaskSettings = {
  steal: DEFAULT_STEAL_OPTIONS,
  auctionWeights: DEFAULT_AUCTION_WEIGHTS,
  matchThreshold: DEFAULT_MATCH_THRESHOLD,
  rebalance: DEFAULT_REBALANCE_OPTIONS,
  rebalanceEveryMs: 1000,
  bidWaitMs: 150,
  awardAfterMs: 150,
  reofferMs: 3000,
  maxAttempts: 5,
  ledgerRetryMs: 250,
  loadEveryMs: 50,
  stealEveryMs: 25,
  stealWaitMs: 1000,
  virtualNodes: DEFAULT_VIRTUAL_NODES,
  resultReplicas: 3,
  fetchWaitMs: 2000,
  maxJobs: 16,
  finishedKept: 1024,
};
