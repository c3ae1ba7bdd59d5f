import type { AgentId } from '../../core/base/ids';
import type { ChaosView } from '../../host/meshSnapshot';
import { chaosScope, MAX_CHAOS_COPIES, type ChaosCommand } from '../../core/wire/chaosCommand';

export interface ChaosDeliveryOptions {
  /** First retry after this long; each next one waits twice as long, up to retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Retries stop this long after the command was issued, acked or not. */
  giveUpAfterMs: number;
}

export const DEFAULT_CHAOS_DELIVERY: ChaosDeliveryOptions = {
  retryBaseMs: 500,
  retryMaxMs: 4000,
  giveUpAfterMs: 60_000,
};

/** Commands being retried at once: one per scope, and never more than this. */
export const MAX_PENDING_COMMANDS = 16;
/** Flood copies remembered, so each one is forwarded once. */
const MAX_FORWARDED_KEPT = 1024;

interface Pending {
  command: ChaosCommand;
  awaiting: Set<AgentId>;
  sends: number;
  nextAtMs: number;
  deadlineMs: number;
}

/** What the dashboard shows of the newest command this agent saw. */
export type LastCommandView = NonNullable<ChaosView['lastCommand']>;

/**
 * Delivery bookkeeping for chaos commands, without I/O: the issuer's retries (with backoff,
 * until every agent the command concerns acked it, a newer command in its scope replaced it,
 * or `giveUpAfterMs` passed), which flood copies were already forwarded, and the acks of the
 * newest command for the dashboard. Time comes in as arguments.
 */
export class ChaosDelivery {
  private readonly pending = new Map<string, Pending>();
  private readonly forwarded = new Set<string>();
  private last: {
    command: ChaosCommand;
    applied: Set<AgentId>;
    /** The issuer's set of agents still to ack (shared with its retry entry); else null. */
    awaiting: Set<AgentId> | null;
    gaveUp: boolean;
  } | null = null;

  constructor(private readonly options: ChaosDeliveryOptions = DEFAULT_CHAOS_DELIVERY) {}

  /** This agent issued `command` (copy 0 is sent now); retries go to `concerned` until acked. */
  issue(command: ChaosCommand, concerned: readonly AgentId[], nowMs: number): void {
    const scope = chaosScope(command.action);
    this.pending.delete(scope);
    while (this.pending.size >= MAX_PENDING_COMMANDS) {
      this.pending.delete(this.pending.keys().next().value as string);
    }
    const awaiting = new Set(concerned);
    this.pending.set(scope, {
      command,
      awaiting,
      sends: 1,
      nextAtMs: nowMs + this.options.retryBaseMs,
      deadlineMs: nowMs + this.options.giveUpAfterMs,
    });
    this.last = { command, applied: new Set(), awaiting, gaveUp: false };
    this.settle(scope);
  }

  /**
   * A command received for the first time: it becomes the one the dashboard shows, and one of
   * this agent's own in the same scope stops being retried (the newer command replaced it).
   */
  noteCommand(command: ChaosCommand): void {
    const scope = chaosScope(command.action);
    const mine = this.pending.get(scope);
    if (mine !== undefined && mine.command.id !== command.id) this.pending.delete(scope);
    if (this.last?.command.id === command.id) return;
    this.last = { command, applied: new Set(), awaiting: null, gaveUp: false };
  }

  /** `agent` applied command `id` (its ack verified, or this agent itself applied it). */
  onApplied(id: string, agent: AgentId): void {
    const last = this.last;
    if (last?.command.id === id) {
      last.applied.add(agent);
      last.awaiting?.delete(agent);
    }
    for (const [scope, entry] of this.pending) {
      if (entry.command.id !== id) continue;
      entry.awaiting.delete(agent);
      this.settle(scope);
    }
  }

  /** The copies to send now: the next copy of each command still waiting and due. */
  due(nowMs: number): ChaosCommand[] {
    const copies: ChaosCommand[] = [];
    for (const [scope, entry] of [...this.pending]) {
      if (nowMs >= entry.deadlineMs || entry.sends >= MAX_CHAOS_COPIES) {
        this.pending.delete(scope);
        if (this.last?.command.id === entry.command.id) this.last.gaveUp = true;
        continue;
      }
      if (nowMs < entry.nextAtMs) continue;
      copies.push({ ...entry.command, copy: entry.sends });
      const waitMs = Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** entry.sends);
      entry.sends++;
      entry.nextAtMs = nowMs + waitMs;
    }
    return copies;
  }

  /** When `due` next has something to do, or null when nothing is being retried. */
  nextDueMs(): number | null {
    let next: number | null = null;
    for (const entry of this.pending.values()) {
      const at = Math.min(entry.nextAtMs, entry.deadlineMs);
      if (next === null || at < next) next = at;
    }
    return next;
  }

  /** Whether a flood copy was handled already. */
  seenCopy(key: string): boolean {
    return this.forwarded.has(key);
  }

  /** True the first time a flood copy is seen: forward it then, drop it after. */
  firstSight(key: string): boolean {
    if (this.forwarded.has(key)) return false;
    this.forwarded.add(key);
    if (this.forwarded.size > MAX_FORWARDED_KEPT) {
      this.forwarded.delete(this.forwarded.values().next().value as string);
    }
    return true;
  }

  view(): LastCommandView | null {
    const last = this.last;
    if (last === null) return null;
    const { command } = last;
    return {
      id: command.id,
      kind: command.action.kind,
      issuer: command.issuer,
      applied: [...last.applied].sort(),
      awaiting: last.awaiting === null ? null : [...last.awaiting].sort(),
      gaveUp: last.gaveUp,
    };
  }

  /** A command every concerned agent acked needs no more copies. */
  private settle(scope: string): void {
    const entry = this.pending.get(scope);
    if (entry !== undefined && entry.awaiting.size === 0) this.pending.delete(scope);
  }
}
