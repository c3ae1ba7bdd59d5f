import type { TasksView } from '../../host/taskRecorder';

/** This agent's task pool now: workers, queue, runs, mean run time, slowdown. */
export function TasksStatus({ view }: { view: TasksView }) {
  return (
    <div className="consensus-status">
      <div className="consensus-line">
        <span
          className="consensus-numbers mono"
          data-testid="tasks-status"
          data-workers={view.workers}
          data-queued={view.queued}
          data-running={view.running}
          data-slowdown={view.slowdown}
        >
          {`${view.running}/${view.workers} workers busy · ${view.queued} queued`}
        </span>
        {view.slowdown !== 1 && (
          <span className="badge badge--slowed" data-testid="tasks-slowed">
            {`slowed ×${view.slowdown}`}
          </span>
        )}
      </div>
      <dl className="consensus-facts">
        <div>
          <dt>mean task</dt>
          <dd className="mono">{`${Math.round(view.meanTaskMs)} ms`}</dd>
        </div>
        <div>
          <dt>neighbours telling load</dt>
          <dd className="mono">{view.peers.length}</dd>
        </div>
        <div>
          <dt>jobs submitted here</dt>
          <dd className="mono">{view.jobs.length}</dd>
        </div>
        <div title="hash jobs' results this agent keeps as one of their keys' R successors">
          <dt>results kept</dt>
          <dd className="mono" data-testid="tasks-kept">
            {view.keptResults}
          </dd>
        </div>
      </dl>
    </div>
  );
}
