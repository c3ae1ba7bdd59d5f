import { shortId, type AgentId } from '../../core/base/ids';
import type { TaskDecision, TasksView } from '../../host/taskRecorder';

/** Task numbers listed in a reassignment's why at most (the rest are counted). */
export const REASSIGNED_TASKS_LISTED = 12;

/** One line of the decisions list, and the numbers that decided it (shown on hover or focus). */
export interface DecisionRow {
  key: string;
  atMs: number;
  kind: TaskDecision['type'];
  /** What happened, in one line. */
  title: string;
  /** Why: one line per number or bid. */
  why: string[];
  /** The other agent the decision is about (victim, thief, winner, new owner, failing owner). */
  agent: AgentId | null;
}

function who(id: AgentId | null, selfId: AgentId): string {
  if (id === null) return 'nobody';
  return id === selfId ? 'you' : shortId(id);
}

const ms = (value: number) => `${Math.round(value)} ms`;
const two = (value: number) => value.toFixed(2);
const percent = (share: number) => `${Math.round(share * 100)} %`;
const job = (jobId: string) => `job ${jobId.slice(0, 8)}`;

function taskList(tasks: readonly number[]): string {
  const listed = tasks.slice(0, REASSIGNED_TASKS_LISTED).join(', ');
  const more = tasks.length - REASSIGNED_TASKS_LISTED;
  return more > 0 ? `${listed} and ${more} more` : listed;
}

type Described = Pick<DecisionRow, 'title' | 'why' | 'agent'>;

function describeSteal(d: Extract<TaskDecision, { type: 'steal' }>, selfId: AgentId): Described {
  const { plan } = d;
  return {
    title: `stole ${d.got} of ${d.asked} from ${who(d.victim, selfId)}`,
    why: [
      `${who(plan.victim, selfId)} would finish them in ${ms(plan.victimFinishMs)}`,
      `this agent in ${ms(plan.thiefFinishMs)}, moving them included`,
      `gain ${ms(plan.gainMs)} for ${plan.count} tasks`,
      `round trip ${ms(d.roundTripMs)}`,
    ],
    agent: d.victim,
  };
}

function describeAward(d: Extract<TaskDecision, { type: 'award' }>, selfId: AgentId): Described {
  const winners = d.winners.map((w) => `${who(w.agent, selfId)} ×${w.tasks}`).join(', ');
  const won = new Set(d.winners.map((w) => w.agent));
  const bids = d.scored.map(({ bid, parts, score }) => {
    const speed = bid.speed === null ? 'speed unknown' : `${bid.speed.toFixed(1)}/s`;
    const measured = `cpu ${Math.round(bid.utilisation * 100)} %, ${speed}, done in ${ms(bid.costMs)}`;
    return (
      `${who(bid.bidder, selfId)}: match ${two(parts.match)} · load ${two(parts.load)} · ` +
      `speed ${two(parts.speed)} · cost ${two(parts.cost)} → score ${two(score)}` +
      `${won.has(bid.bidder) ? ' (winner)' : ''} [${measured}]`
    );
  });
  return {
    title: `auction ${d.auctionId} awarded to ${winners === '' ? 'nobody' : winners}`,
    why: [
      `${d.bids} bids in ${ms(d.waitedMs)}; parts 0-1 before weighting, first task's bids best first`,
      ...bids,
      job(d.jobId),
    ],
    agent: d.winners[0]?.agent ?? null,
  };
}

function describe(d: TaskDecision, selfId: AgentId): Described {
  switch (d.type) {
    case 'steal':
      return describeSteal(d, selfId);
    case 'stolen-from':
      return {
        title: `${who(d.thief, selfId)} stole ${d.count}`,
        why: [`${who(d.thief, selfId)} asked for queued tasks; this agent handed over ${d.count}`],
        agent: d.thief,
      };
    case 'rebalance':
      return {
        title: `pushed ${d.moved} to ${who(d.plan.to, selfId)}`,
        why: [
          `this agent ${percent(d.plan.selfUtilisation)} busy, ${who(d.plan.to, selfId)} ${percent(d.plan.peerUtilisation)}`,
          `planned ${d.plan.count}, moved ${d.moved}`,
        ],
        agent: d.plan.to,
      };
    case 'award':
      return describeAward(d, selfId);
    case 'task-reassigned':
      return {
        title: `${d.tasks.length} tasks ${who(d.from, selfId)} → ${who(d.to, selfId)}`,
        why: [
          `from ${who(d.from, selfId)} to ${who(d.to, selfId)}: ${d.reason}`,
          `tasks ${taskList(d.tasks)}`,
          job(d.jobId),
        ],
        agent: d.to,
      };
    case 'task-error':
      return {
        title: `task ${d.task} failed on ${who(d.owner, selfId)}: ${d.code}`,
        why: [d.message, job(d.jobId)],
        agent: d.owner,
      };
  }
}

/** The decisions newest first, each with its why. */
export function selectDecisionRows(view: TasksView, selfId: AgentId): DecisionRow[] {
  const rows: DecisionRow[] = [];
  // Keys stay with their decision as older ones drop off the host's bounded list; a count
  // tells apart decisions of one type in the same millisecond.
  const sameMs = new Map<string, number>();
  for (let i = view.decisions.length - 1; i >= 0; i--) {
    const decision = view.decisions[i];
    if (decision === undefined) continue;
    const base = `${decision.atMs}:${decision.type}`;
    const n = sameMs.get(base) ?? 0;
    sameMs.set(base, n + 1);
    rows.push({
      key: `${base}:${n}`,
      atMs: decision.atMs,
      kind: decision.type,
      ...describe(decision, selfId),
    });
  }
  return rows;
}
