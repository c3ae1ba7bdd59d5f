import type { AgentId } from '../core/base/ids';
import type { Millis } from '../core/base/time';

/** What a transport reports upward. Frames arrive only from authenticated, open links. */
export interface TransportHandler {
  onLinkUp(peer: AgentId): void;
  onLinkDown(peer: AgentId, reason: string): void;
  onFrame(peer: AgentId, frame: Uint8Array): void;
}

/** Links to peers: WebRTC data channels in the browser, the packet simulator in Node. */
export interface Transport {
  setHandler(handler: TransportHandler): void;
  /** Best effort; a send on a link that is not open is dropped (and counted by the transport). */
  send(peer: AgentId, frame: Uint8Array): void;
  close(peer: AgentId, reason: string): void;
  /**
   * Asks for a link to a peer the agent learned of (through gossip, not the signaling server).
   * Best effort: a link that comes up is reported through onLinkUp.
   */
  connect(peer: AgentId): void;
  /**
   * Bytes queued on the link and not yet sent, for senders that pace bulk data (the shared
   * document's sync); a transport without queues leaves it out.
   */
  bufferedBytes?(peer: AgentId): number;
}

/**
 * Signing with this agent's key and checking others' signatures. Callbacks may run at once (the
 * simulator) or later (WebCrypto); the host serialises what they feed back.
 */
export interface CryptoPort {
  sign(bytes: Uint8Array, done: (signatureHex: string) => void): void;
  verify(
    signer: AgentId,
    signatureHex: string,
    bytes: Uint8Array,
    done: (valid: boolean) => void,
  ): void;
}

export type TimerHandle = unknown;

/** Wall clock in the browser, virtual clock in the simulator. */
export interface Clock {
  nowMs(): Millis;
  setTimer(atMs: Millis, callback: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

export type MeshEventLevel = 'info' | 'warn' | 'error';

/** One line of the event log: joined, connected, disconnected, rejected frames, errors. */
export interface MeshEvent {
  atMs: Millis;
  level: MeshEventLevel;
  /** Short machine-readable kind, e.g. 'link-up', 'handshake-failed', 'frame-rejected'. */
  kind: string;
  peer?: AgentId;
  detail?: string;
}

export interface Observer {
  onEvent(event: MeshEvent): void;
}

/** Why a task run failed. */
export type TaskRunErrorCode =
  | 'timeout'
  | 'cancelled'
  | 'failed'
  | 'unknown-kind'
  | 'invalid-input'
  | 'too-large'
  | 'busy'
  | 'stopped';

/** How one run ended; `ms` is the time it held a worker (0 when it was refused before). */
export type TaskOutcome =
  | { ok: true; result: unknown; ms: number }
  | { ok: false; code: TaskRunErrorCode; message: string; ms: number };

/** One task handed to a runner: `done` settles exactly once and never rejects. */
export interface TaskRun {
  readonly done: Promise<TaskOutcome>;
  /** Stops the run (its worker is replaced); no effect once it has settled. */
  cancel(): void;
}

/** Runs task kinds off the main thread: Web Workers in a page, worker threads in Node. */
export interface TaskRunner {
  /** Workers in the pool. */
  readonly workers: number;
  /** Runs one worker takes at once: the running one and those waiting in it to start next. */
  readonly runsPerWorker: number;
  /** Runs the ready workers would take now (at most workers x runsPerWorker). */
  freePlaces(): number;
  /** Runs one task on a worker with a free place (refused `busy` when none has; never queues in the pool). `done` never rejects. */
  run(request: { kind: string; input: unknown; timeoutMs: number }): TaskRun;
  /** Adds a kind from a module URL; resolves once every worker can run it, rejects with a clear message if the module cannot be loaded or has no `run` export. */
  register(kind: string, moduleUrl: string): Promise<void>;
  /** Kinds this runner can run (built-in and registered). */
  kinds(): string[];
  /** Total ms workers have spent running tasks since the start (for CPU utilisation = busy ms delta / (wall ms * workers)). */
  busyMs(): number;
  /** Ends every worker; runs still going and later ones settle `stopped`. */
  stop(): void;
}
