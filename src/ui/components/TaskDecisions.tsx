import { memo, useMemo } from 'react';
import type { AgentId } from '../../core/base/ids';
import type { TasksView } from '../../host/taskRecorder';
import { selectDecisionRows, type DecisionRow } from '../store/taskDecisions';
import { formatEventTime } from './format';

export interface TaskDecisionsProps {
  view: TasksView;
  selfId: AgentId;
}

/**
 * Steals, awards, reassignments and errors, newest first, one line each. Hovering or focusing
 * a line opens its why: the numbers that decided it (kept in the markup, so it reads without
 * a pointer and screen readers announce it as the line's description).
 */
export function TaskDecisions({ view, selfId }: TaskDecisionsProps) {
  // Every snapshot copies the list; it changed only when its length or newest entry did, so
  // those are the memo's keys (view is read through them).
  const count = view.decisions.length;
  const newestMs = view.decisions[count - 1]?.atMs ?? null;
  const rows = useMemo(() => selectDecisionRows(view, selfId), [count, newestMs, selfId]);
  return <DecisionList rows={rows} />;
}

/** The list itself, re-rendered only when the rows change. */
const DecisionList = memo(function DecisionList({ rows }: { rows: DecisionRow[] }) {
  return (
    <section
      className="consensus-section tasks-decisions"
      data-testid="task-decisions"
      aria-labelledby="task-decisions-title"
    >
      <div className="consensus-section-head">
        <h3 id="task-decisions-title">
          Decisions <span className="muted">newest first · hover or focus a line for why</span>
        </h3>
      </div>
      {rows.length === 0 ? (
        <p className="placeholder">No steal, award, reassignment or error yet.</p>
      ) : (
        <ol className="view-change-list task-decision-list">
          {rows.map((row, index) => {
            const whyId = `task-why-${index}`;
            return (
              <li
                key={row.key}
                className={`view-change-row task-decision-row task-decision-row--${row.kind}`}
                data-testid="task-decision-row"
                data-kind={row.kind}
                data-agent={row.agent ?? undefined}
                tabIndex={0}
                aria-describedby={whyId}
              >
                <time className="consensus-time mono">{formatEventTime(row.atMs)}</time>
                <span className={`task-kind task-kind--${row.kind}`}>{row.kind}</span>
                <span className="task-decision-title">{row.title}</span>
                <div className="task-why" id={whyId} role="tooltip" data-testid="task-decision-why">
                  {row.why.map((line, i) => (
                    <p key={i}>{line}</p>
                  ))}
                </div>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
});
