import { assert } from '../base/assert';
import type { AgentId } from '../base/ids';
import {
  PBFT_MAX_BATCH_REQUESTS,
  PBFT_MAX_MESSAGE_BYTES,
  PBFT_MAX_REPLICAS,
  PBFT_MAX_WINDOW,
} from '../wire/pbftMessages';

/** Settings of one pBFT replica. README.md ("Limits" and "Timers") explains each default. */
export interface PbftConfig {
  selfId: AgentId;
  /** The replica set, in the order that names the primary of each view (view mod n). */
  replicas: readonly AgentId[];
  /** A checkpoint every this many sequence numbers (K). */
  checkpointInterval: number;
  /** Sequence numbers accepted above the stable checkpoint (L, the high watermark's distance). */
  watermarkWindow: number;
  /** A request not executed by then starts a view change; doubles per failed view change. */
  requestTimeoutMs: number;
  /** The doubling stops here. */
  viewChangeTimeoutMaxMs: number;
  /** An uncommitted slot's own votes are sent again this often to replicas not heard from. */
  retransmitMs: number;
  /** With work pending and no execution for this long, ask peers for what was executed. */
  catchUpAfterMs: number;
  /** Most requests and bytes in one batch. */
  maxBatchRequests: number;
  maxBatchBytes: number;
  /** Batches the primary keeps in flight (proposed, not yet executed): the pipeline depth. */
  maxInFlightBatches: number;
  /** A client's request numbers above its oldest remembered one that are accepted. */
  clientWindow: number;
  /** Requests held per client waiting to be ordered, and in all. */
  maxPendingPerClient: number;
  maxPendingRequests: number;
  /** Requests per second a single client may add (token bucket), and its burst. */
  clientRatePerSecond: number;
  clientBurst: number;
  /** Clients whose last replies are remembered (exactly-once); the least recent is forgotten. */
  maxClients: number;
  /** Batches kept by digest for peers that missed them (new views, catch-up). */
  maxStoredBatches: number;
}

export type PbftOverrides = Partial<Omit<PbftConfig, 'selfId' | 'replicas'>>;

export const DEFAULT_PBFT_CONFIG: Omit<PbftConfig, 'selfId' | 'replicas'> = {
  checkpointInterval: 16,
  watermarkWindow: 64,
  requestTimeoutMs: 500,
  viewChangeTimeoutMaxMs: 8000,
  retransmitMs: 150,
  catchUpAfterMs: 300,
  maxBatchRequests: 64,
  maxBatchBytes: 48 * 1024,
  maxInFlightBatches: 4,
  clientWindow: 64,
  maxPendingPerClient: 64,
  maxPendingRequests: 1024,
  clientRatePerSecond: 1000,
  clientBurst: 256,
  maxClients: 1024,
  maxStoredBatches: 512,
};

export function resolvePbftConfig(
  selfId: AgentId,
  replicas: readonly AgentId[],
  overrides: PbftOverrides = {},
): PbftConfig {
  const config: PbftConfig = { ...DEFAULT_PBFT_CONFIG, ...overrides, selfId, replicas };
  assert(
    replicas.length >= 1 && replicas.length <= PBFT_MAX_REPLICAS,
    'replica count out of range',
  );
  assert(new Set(replicas).size === replicas.length, 'replicas must be distinct');
  const positive = [
    'checkpointInterval',
    'watermarkWindow',
    'requestTimeoutMs',
    'viewChangeTimeoutMaxMs',
    'retransmitMs',
    'catchUpAfterMs',
    'maxBatchRequests',
    'maxBatchBytes',
    'maxInFlightBatches',
    'clientWindow',
    'maxPendingPerClient',
    'maxPendingRequests',
    'clientRatePerSecond',
    'clientBurst',
    'maxClients',
    'maxStoredBatches',
  ] as const;
  for (const key of positive) assert(config[key] > 0, `${key} must be positive`);
  assert(
    config.watermarkWindow >= 2 * config.checkpointInterval &&
      config.watermarkWindow <= PBFT_MAX_WINDOW,
    'watermarkWindow must be at least two checkpoint intervals and at most PBFT_MAX_WINDOW',
  );
  assert(
    config.maxBatchRequests <= PBFT_MAX_BATCH_REQUESTS,
    'maxBatchRequests over the wire limit',
  );
  assert(config.maxBatchBytes <= PBFT_MAX_MESSAGE_BYTES / 2, 'maxBatchBytes over the wire limit');
  return config;
}
