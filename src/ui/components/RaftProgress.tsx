import { useMemo } from 'react';
import { shortId } from '../../core/base/ids';
import type { ProgressState } from '../../core/raft/types';
import type { LedgerView } from '../../host/ledgerView';
import { selectProgressRows, type ProgressRow } from '../store/ledgerSelectors';

const STATE_TITLES: Readonly<Record<ProgressState, string>> = {
  probe: 'probe: finding where its log matches the leader’s, one append at a time',
  replicate: 'replicate: streaming appends',
  snapshot: 'snapshot: taking a snapshot, its log is too far behind',
};

function ProgressBar({ row }: { row: ProgressRow }) {
  const percent = Math.round(row.fraction * 100);
  return (
    <li
      className={`raft-progress-row${row.active ? '' : ' raft-progress-row--inactive'}`}
      data-testid="raft-progress-row"
      data-agent={row.peer}
      data-state={row.state}
      data-match={row.matchIndex}
      data-learner={row.learner ? 'true' : undefined}
    >
      <span className="raft-progress-peer mono" title={row.peer}>
        {shortId(row.peer)}
        {row.learner && <span className="learner-tag">learner</span>}
      </span>
      <span
        className="raft-progress-track"
        role="meter"
        aria-label={`${shortId(row.peer)} holds ${row.matchIndex} of ${row.lastIndex}`}
        aria-valuemin={0}
        aria-valuemax={row.lastIndex}
        aria-valuenow={row.matchIndex}
      >
        <span
          className={`raft-progress-fill raft-progress-fill--${row.state}`}
          style={{ width: `${percent}%` }}
        />
      </span>
      <span className="raft-progress-index mono">
        {`${row.matchIndex} / ${row.lastIndex}`}
        {row.behind > 0 && <span className="muted">{` −${row.behind}`}</span>}
      </span>
      <span className={`badge raft-state raft-state--${row.state}`} title={STATE_TITLES[row.state]}>
        {row.state}
      </span>
      <span className="raft-progress-inflight muted" title="appends sent, not yet acknowledged">
        {row.active ? `${row.inflight} in flight` : 'not heard lately'}
      </span>
    </li>
  );
}

/** The leader's view of each follower: its match index against the leader's last index. */
export function RaftProgress({ view }: { view: LedgerView }) {
  const rows = useMemo(() => selectProgressRows(view), [view]);
  const leads = view.status.role === 'leader';
  return (
    <section
      className="consensus-section"
      data-testid="raft-progress"
      aria-labelledby="raft-progress-title"
    >
      <div className="consensus-section-head">
        <h3 id="raft-progress-title">
          Replication <span className="muted">match index of each follower</span>
        </h3>
      </div>
      {!leads ? (
        <p className="placeholder">Only the leader tracks its followers’ logs.</p>
      ) : rows.length === 0 ? (
        <p className="placeholder">No followers yet.</p>
      ) : (
        <ol className="raft-progress-list">
          {rows.map((row) => (
            <ProgressBar key={row.peer} row={row} />
          ))}
        </ol>
      )}
    </section>
  );
}
