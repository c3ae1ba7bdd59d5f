import type { AgentId } from '../../core/base/ids';
import type { DigestFn, ReplicatedApp } from '../../core/pbft/types';
import { PBFT_MAX_RESULT_BYTES } from '../../core/wire/pbftMessages';
import type { CriticalAction, CriticalKind } from './criticalKind';
import { REPLICA_SET_STATE, replicaSetState, seedReplicaSet } from './replicaChanges';

export type { CriticalAction, CriticalContext, CriticalKind } from './criticalKind';

/** One executed action as every replica records it (the view is added by each agent). */
export interface ExecutedAction {
  seq: number;
  index: number;
  digest: string;
  kind: string;
  proposer: AgentId;
}

/** The result a replica returns for an action: its value, or why it was refused. */
export type CriticalOutcome =
  | { ok: true; value: unknown }
  | { ok: false; error: 'invalid' | 'failed' | 'too-large'; reason: string };

/** Executed actions every replica keeps (and sends in a state transfer), newest last. */
export const EXECUTED_LOG_KEPT = 512;
/** A kind's state by default; the whole state must fit a state transfer (512 KiB). */
export const DEFAULT_MAX_STATE_CHARS = 64 * 1024;
/** Kinds an app may register besides the built-in ones. */
export const MAX_REGISTERED_KINDS = 16;
/** A refused action's kind is logged cut to this. */
const LOGGED_KIND_CHARS = 64;

/** The replicated state's text: kinds' states as pairs (no object keys: `__proto__` is a kind name). */
interface StateText {
  kinds: [string, Record<string, unknown>][];
  log: ExecutedAction[];
}

const text = new TextEncoder();

/**
 * The replicated state machine behind `mesh.critical`: a registry of action kinds, each with
 * its own state, and the log of executed actions. Unknown kinds, refused actions and throwing
 * kinds all execute as a refusal, so every replica returns the same result and the order stays
 * one. The state is a JSON object: a checkpoint is its text.
 */
export class CriticalApp implements ReplicatedApp {
  private readonly kinds = new Map<string, CriticalKind>();
  private states = new Map<string, Record<string, unknown>>();
  private executedLog: ExecutedAction[] = [];
  private readonly executedListeners = new Set<(entry: ExecutedAction) => void>();
  private readonly restoredListeners = new Set<() => void>();
  private readonly builtins: ReadonlySet<string>;

  constructor(
    private readonly digestOf: DigestFn,
    builtins: Record<string, CriticalKind> = {},
  ) {
    for (const [kind, definition] of Object.entries(builtins)) this.add(kind, definition);
    this.builtins = new Set(Object.keys(builtins));
  }

  register(kind: string, definition: CriticalKind): void {
    if (this.kinds.size - this.builtins.size >= MAX_REGISTERED_KINDS) {
      throw new Error(`at most ${MAX_REGISTERED_KINDS} kinds may be registered`);
    }
    this.add(kind, definition);
  }

  private add(kind: string, definition: CriticalKind): void {
    if (typeof kind !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(kind)) {
      throw new TypeError('a kind is 1-64 of A-Z a-z 0-9 . _ -');
    }
    if (this.kinds.has(kind)) throw new Error(`kind ${kind} is registered already`);
    if (typeof definition?.apply !== 'function') throw new TypeError('a kind needs apply()');
    this.kinds.set(kind, definition);
  }

  has(kind: string): boolean {
    return this.kinds.has(kind);
  }

  /** Why `action` would be refused where it is proposed, or null when it passes. */
  refusal(action: CriticalAction): string | null {
    const definition = this.kinds.get(action.kind);
    if (definition === undefined) return `unknown kind ${action.kind}`;
    return validationRefusal(definition, action);
  }

  /** The state a kind keeps (read-only use: the agreed memory reads it). */
  stateOf(name: string): Readonly<Record<string, unknown>> {
    return this.states.get(name) ?? {};
  }

  /** The genesis replica set, unless the state names one already (restored, transferred). */
  seedReplicas(replicas: readonly AgentId[]): void {
    let state = this.states.get(REPLICA_SET_STATE);
    if (state === undefined) this.states.set(REPLICA_SET_STATE, (state = {}));
    seedReplicaSet(state, replicas);
  }

  /** The replica set the state names (`replicas.change` votes move it); pBFT follows it. */
  replicaSet(): readonly AgentId[] | null {
    return replicaSetState(this.stateOf(REPLICA_SET_STATE))?.replicas ?? null;
  }

  /** The executed actions from `fromSeq` on, at most `limit`. */
  log(fromSeq: number, limit: number): ExecutedAction[] {
    const out: ExecutedAction[] = [];
    for (const entry of this.executedLog) {
      if (entry.seq < fromSeq) continue;
      if (out.length >= limit) break;
      out.push(entry);
    }
    return out;
  }

  /** The newest `limit` executed actions, oldest first. */
  recent(limit: number): ExecutedAction[] {
    return this.executedLog.slice(-limit);
  }

  /** Called after every executed action (not after a restore). */
  onExecuted(listener: (entry: ExecutedAction) => void): () => void {
    this.executedListeners.add(listener);
    return () => this.executedListeners.delete(listener);
  }

  /** Called after the state was replaced (a restart from records, a state transfer). */
  onRestored(listener: () => void): () => void {
    this.restoredListeners.add(listener);
    return () => this.restoredListeners.delete(listener);
  }

  apply(actionText: string, client: AgentId, seq: number): string {
    let action: CriticalAction | null = null;
    try {
      const parsed: unknown = JSON.parse(actionText);
      if (isCriticalAction(parsed)) action = parsed;
    } catch {
      // Not JSON: refused below, like any malformed action.
    }
    const log = this.executedLog;
    const last = log[log.length - 1];
    const entry: ExecutedAction = {
      seq,
      index: last !== undefined && last.seq === seq ? last.index + 1 : 0,
      digest: this.digestOf(text.encode(actionText)),
      kind: (action?.kind ?? '').slice(0, LOGGED_KIND_CHARS),
      proposer: client,
    };
    log.push(entry);
    if (log.length > EXECUTED_LOG_KEPT) log.splice(0, log.length - EXECUTED_LOG_KEPT);
    const outcome =
      action === null
        ? refused('invalid', 'not a JSON action with a kind')
        : this.run(action, client, seq);
    notify(this.executedListeners, entry);
    return resultText(outcome);
  }

  snapshot(): string {
    const state: StateText = { kinds: [...this.states], log: this.executedLog };
    return JSON.stringify(state);
  }

  restore(snapshot: string): void {
    const parsed = JSON.parse(snapshot) as Partial<StateText>;
    this.states = new Map(Array.isArray(parsed.kinds) ? parsed.kinds : []);
    this.executedLog = Array.isArray(parsed.log) ? parsed.log : [];
    notify(this.restoredListeners, undefined);
  }

  private run(action: CriticalAction, proposer: AgentId, seq: number): CriticalOutcome {
    const definition = this.kinds.get(action.kind);
    if (definition === undefined) return refused('invalid', `unknown kind ${action.kind}`);
    const refusal = validationRefusal(definition, action);
    if (refusal !== null) return refused('invalid', refusal);
    const name = definition.stateName ?? action.kind;
    let state = this.states.get(name);
    if (state === undefined) {
      state = {};
      this.states.set(name, state);
    }
    // An app's kind is measured, and undone when it throws or grows past its bound.
    const before = this.builtins.has(action.kind) ? null : JSON.stringify(state);
    const undo = () => {
      if (before !== null) this.states.set(name, JSON.parse(before) as Record<string, unknown>);
    };
    try {
      const value = definition.apply(action, { seq, proposer, state });
      const maxChars = definition.maxStateChars ?? DEFAULT_MAX_STATE_CHARS;
      if (before !== null && JSON.stringify(state).length > maxChars) {
        undo();
        return refused(
          'too-large',
          `the state of ${action.kind} would pass ${maxChars} characters`,
        );
      }
      return { ok: true, value: value === undefined ? null : value };
    } catch (error) {
      undo();
      return refused('failed', error instanceof Error ? error.message : String(error));
    }
  }
}

/** Listeners run after the replica's work is done; one that throws does not stop the others. */
function notify<T>(listeners: ReadonlySet<(value: T) => void>, value: T): void {
  for (const listener of listeners) {
    try {
      listener(value);
    } catch (error) {
      console.error('a critical-action listener threw', error);
    }
  }
}

function validationRefusal(definition: CriticalKind, action: CriticalAction): string | null {
  try {
    const verdict = definition.validate?.(action);
    if (verdict === false) return 'refused by its validator';
    if (typeof verdict === 'string') return verdict;
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function refused(error: 'invalid' | 'failed' | 'too-large', reason: string): CriticalOutcome {
  return { ok: false, error, reason: reason.slice(0, 512) };
}

/** The outcome as JSON text, within the reply's limit (a larger result is refused). */
function resultText(outcome: CriticalOutcome): string {
  let result: string;
  try {
    result = JSON.stringify(outcome);
  } catch {
    return JSON.stringify(refused('failed', 'the result is not JSON'));
  }
  if (text.encode(result).length > PBFT_MAX_RESULT_BYTES) {
    return JSON.stringify(refused('too-large', `result over ${PBFT_MAX_RESULT_BYTES} bytes`));
  }
  return result;
}

/** JSON with a string `kind`: the shape of every critical action. */
export function isCriticalAction(value: unknown): value is CriticalAction {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { kind?: unknown }).kind === 'string'
  );
}
