import { useMemo } from 'react';
import type { AgentId } from '../../core/base/ids';
import type { LedgerView } from '../../host/ledgerView';
import { RAFT_TIMELINE_SHOWN, selectTimelineRows } from '../store/ledgerSelectors';
import { formatEventTime } from './format';

export interface RaftTimelineProps {
  view: LedgerView;
  selfId: AgentId;
}

/** Elections and why they started, leaders, step-downs, members, snapshots, transfers. */
export function RaftTimeline({ view, selfId }: RaftTimelineProps) {
  const rows = useMemo(() => selectTimelineRows(view, selfId), [view, selfId]);
  return (
    <section
      className="consensus-section"
      data-testid="raft-timeline"
      aria-labelledby="raft-timeline-title"
    >
      <div className="consensus-section-head">
        <h3 id="raft-timeline-title">
          Elections <span className="muted">{`newest first, at most ${RAFT_TIMELINE_SHOWN}`}</span>
        </h3>
      </div>
      {rows.length === 0 ? (
        <p className="placeholder">No Raft event yet.</p>
      ) : (
        <ol className="view-change-list">
          {rows.map((row) => (
            <li
              key={row.key}
              className={`view-change-row raft-timeline-row raft-timeline-row--${row.kind}`}
              data-testid="raft-timeline-row"
              data-kind={row.kind}
              data-agent={row.agent ?? undefined}
            >
              <time className="consensus-time mono">{formatEventTime(row.atMs)}</time>
              <span className="raft-timeline-title">{row.title}</span>
              <span className="consensus-reason">{row.detail ?? ''}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
