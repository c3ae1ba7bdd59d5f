import { shortId } from '../../core/base/ids';
import type { TaskEvent } from '../../core/tasks/taskTypes';
import type { MeshEvent } from '../../host/ports';

/**
 * A task event as a line of the agent's event log, with the numbers that decided it; accepted
 * results (hundreds a job) are left to the Tasks tab.
 */
export function taskEventOf(event: TaskEvent): Omit<MeshEvent, 'atMs'> | null {
  switch (event.type) {
    case 'result-fetched':
      return null;
    case 'job-done':
      return {
        level: 'info',
        kind: 'task-job-done',
        detail: `${event.jobId}: ${event.results.length} tasks`,
      };
    case 'job-failed':
      return {
        level: 'warn',
        kind: 'task-job-failed',
        detail: `${event.jobId}: ${event.code} (${event.message})`,
      };
    case 'task-accepted':
      return null;
    case 'task-reassigned':
      return {
        level: 'info',
        kind: event.type,
        peer: event.to,
        detail: `${event.jobId}: ${event.tasks.length} tasks from ${event.from === null ? 'nobody' : shortId(event.from)} to ${shortId(event.to)}: ${event.reason}`,
      };
    case 'task-error':
      return {
        level: 'warn',
        kind: event.type,
        peer: event.owner,
        detail: `${event.jobId}/${event.task}: ${event.code}: ${event.message}`,
      };
    case 'steal':
      return {
        level: 'info',
        kind: 'task-steal',
        peer: event.victim,
        detail: `took ${event.got} of ${event.asked} in ${event.roundTripMs.toFixed(1)} ms: victim done in ${event.plan.victimFinishMs.toFixed(0)} ms, here in ${event.plan.thiefFinishMs.toFixed(0)} ms, gain ${event.plan.gainMs.toFixed(0)} ms`,
      };
    case 'rebalance':
      return {
        level: 'info',
        kind: 'task-rebalance',
        peer: event.plan.to,
        detail: `moved ${event.moved} queued tasks to ${shortId(event.plan.to)}: CPU here ${(event.plan.selfUtilisation * 100).toFixed(0)} % (hot above 80 %), there ${(event.plan.peerUtilisation * 100).toFixed(0)} % (cold below 30 %)`,
      };
    case 'stolen-from':
      return {
        level: 'info',
        kind: 'task-stolen',
        peer: event.thief,
        detail: `gave ${event.count} tasks`,
      };
    case 'award': {
      const best = event.scored[0];
      const why =
        best === undefined
          ? ''
          : `; best ${shortId(best.bid.bidder)} scored ${best.score.toFixed(2)} (match ${best.parts.match.toFixed(2)}, load ${best.parts.load.toFixed(2)}, speed ${best.parts.speed.toFixed(2)}, cost ${best.parts.cost.toFixed(2)})`;
      return {
        level: 'info',
        kind: 'task-award',
        detail: `${event.jobId}: ${event.bids} bids in ${event.waitedMs.toFixed(0)} ms, ${event.winners.map((w) => `${shortId(w.agent)}×${w.tasks}`).join(' ')}${why}`,
      };
    }
    case 'bad-message':
      return { level: 'warn', kind: 'task-bad-message', peer: event.from, detail: event.detail };
  }
}
