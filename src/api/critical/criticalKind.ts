import type { AgentId } from '../../core/base/ids';

/** A critical action: JSON with a `kind`. */
export type CriticalAction = { kind: string } & Record<string, unknown>;

/** What `apply` sees besides the action. `state` is the kind's own, kept in every checkpoint. */
export interface CriticalContext {
  seq: number;
  proposer: AgentId;
  state: Record<string, unknown>;
}

/**
 * One kind of critical action. `validate` runs where the action is proposed and again on every
 * replica before `apply` (return false or a reason, or throw, to refuse); `apply` runs on every
 * replica in sequence order and must be deterministic: same actions, same state, same results.
 */
export interface CriticalKind {
  validate?(action: CriticalAction): boolean | string | void;
  apply(action: CriticalAction, context: CriticalContext): unknown;
  /** Kinds sharing a state name share one state object (default: the kind). */
  stateName?: string;
  /**
   * The most JSON text the kind's state may hold (default 64 KiB); an action that would take it
   * past is refused `too-large` and its changes undone. Built-in kinds keep their own bounds.
   */
  maxStateChars?: number;
}
