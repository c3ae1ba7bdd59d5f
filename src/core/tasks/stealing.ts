import { compareIds, type AgentId } from '../base/ids';

/** Tasks queued per agent at most; a push past it is refused. */
export const MAX_QUEUED_TASKS = 1024;

/**
 * An agent's task queue as a work-stealing deque: the owner takes from the back (the newest,
 * whose inputs are warm), thieves from the front (the oldest, which have waited longest).
 */
export class WorkDeque<T> {
  private items: T[] = [];

  constructor(readonly capacity = MAX_QUEUED_TASKS) {}

  get length(): number {
    return this.items.length;
  }

  /** How many queued items `pick` picks. */
  count(pick: (item: T) => boolean): number {
    let n = 0;
    for (const item of this.items) if (pick(item)) n++;
    return n;
  }

  /** Queues a task; false (nothing changed) when the deque is full. */
  push(item: T): boolean {
    if (this.items.length >= this.capacity) return false;
    this.items.push(item);
    return true;
  }

  /** Puts a task back at the thieves' end (one taken that did not fit a steal after all). */
  pushFront(item: T): void {
    this.items.unshift(item);
  }

  /** The owner's next task. */
  pop(): T | undefined {
    return this.items.pop();
  }

  /** Takes out the tasks `drop` picks (a job cancelled, a move refused); returns them. */
  remove(drop: (item: T) => boolean): T[] {
    const removed = this.items.filter(drop);
    if (removed.length > 0) this.items = this.items.filter((item) => !drop(item));
    return removed;
  }

  /**
   * The victim's side of a steal: gives up to `count` of its oldest tasks, never more than it
   * has, so a task has one owner at a time even when two thieves asked for the same ones.
   */
  giveUp(count: number): T[] {
    return this.items.splice(0, Math.max(0, Math.min(Math.floor(count), this.items.length)));
  }
}

/** What an agent knows of one agent's load (its own, or a peer's from the gossip). */
export interface AgentLoad {
  agent: AgentId;
  queued: number;
  /** Workers in its pool. */
  workers: number;
  /** Its mean time per task of the kind, measured, in ms. */
  meanTaskMs: number;
}

export interface StealOptions {
  /** An agent steals only with fewer than this many queued tasks per worker. */
  lowWaterPerWorker: number;
  /** A victim must have more than this many queued tasks per worker. */
  highWaterPerWorker: number;
  /** Moving one task costs this much: its input and its move, in ms. */
  transferMs: number;
  /**
   * One steal costs this much besides, whatever it carries: the ask's round trip, in ms. The
   * agent raises it to the round trips it measures (workSide.ts), so where asking is slow
   * (tabs on a busy machine) a thief asks less often and takes more each time.
   */
  roundTripMs: number;
  /** The gain must beat the transfer cost by this factor (no thrashing). */
  margin: number;
  /** Tasks taken in one steal at most. */
  maxPerSteal: number;
}

export const DEFAULT_STEAL_OPTIONS: StealOptions = {
  lowWaterPerWorker: 1,
  highWaterPerWorker: 2,
  transferMs: 5,
  roundTripMs: 0,
  margin: 2,
  maxPerSteal: 16,
};

/** A steal worth making, and the numbers that decided it (the dashboard shows them). */
export interface StealPlan {
  victim: AgentId;
  count: number;
  /** When the victim would reach the last stolen task without the steal, from now. */
  victimFinishMs: number;
  /** When the thief would have them done, transfer included. */
  thiefFinishMs: number;
  gainMs: number;
}

/** How long an agent takes to run `tasks` tasks, its workers in parallel, in ms. */
function finishMs(load: AgentLoad, tasks: number): number {
  return Math.ceil(tasks / Math.max(1, load.workers)) * load.meanTaskMs;
}

/**
 * Whether `self` should steal, from whom and how many (Dask's rule: only when the thief would
 * finish the tasks sooner even after moving them, here by `margin` times the transfer cost).
 * Takes half the difference of the two queues' finishing times, at most `maxPerSteal`; the
 * most loaded victim first (ties to the smaller id), so thieves that see the same loads agree.
 */
export function planSteal(
  self: AgentLoad,
  peers: readonly AgentLoad[],
  options: StealOptions = DEFAULT_STEAL_OPTIONS,
): StealPlan | null {
  if (self.queued >= options.lowWaterPerWorker * Math.max(1, self.workers)) return null;
  const victims = peers
    .filter(
      (p) =>
        p.agent !== self.agent && p.queued > options.highWaterPerWorker * Math.max(1, p.workers),
    )
    .sort((a, b) => finishMs(b, b.queued) - finishMs(a, a.queued) || compareIds(a.agent, b.agent));
  for (const victim of victims) {
    const count = stealCount(self, victim, options);
    if (count === 0) continue;
    // The stolen tasks are the victim's oldest: without the steal they would start next, but
    // the rest of its queue waits behind them; the thief runs them after its own queue.
    const victimFinishMs = finishMs(victim, victim.queued);
    const victimAfterMs = finishMs(victim, victim.queued - count);
    const costMs = options.roundTripMs + options.transferMs * count;
    const thiefFinishMs = finishMs(self, self.queued + count) + costMs;
    const gainMs = victimFinishMs - Math.max(victimAfterMs, thiefFinishMs);
    if (gainMs > options.margin * costMs)
      return { victim: victim.agent, count, victimFinishMs, thiefFinishMs, gainMs };
  }
  return null;
}

/** Half the gap between the two finishing times, in the victim's tasks, bounded. */
function stealCount(self: AgentLoad, victim: AgentLoad, options: StealOptions): number {
  const gapMs = finishMs(victim, victim.queued) - finishMs(self, self.queued);
  if (gapMs <= 0) return 0;
  const perTaskMs = Math.max(1, victim.meanTaskMs / Math.max(1, victim.workers));
  return Math.max(
    0,
    Math.min(options.maxPerSteal, victim.queued, Math.floor(gapMs / perTaskMs / 2)),
  );
}
