import { shortId, type AgentId } from '../../core/base/ids';
import type { LedgerView } from '../../host/ledgerView';
import { ledgerRoleText } from '../store/ledgerSelectors';

export interface RaftStatusProps {
  view: LedgerView;
  selfId: AgentId;
}

/** Term, leader and role; the commit, applied, last and snapshot indexes. */
export function RaftStatus({ view, selfId }: RaftStatusProps) {
  const { status } = view;
  return (
    <div className="consensus-status">
      <div className="consensus-line">
        <span
          className="consensus-numbers mono"
          data-testid="raft-status"
          data-role={status.role}
          data-term={status.term}
          data-commit={status.commitIndex}
          data-applied={status.appliedIndex}
          data-last={view.lastIndex}
          data-snapshot={view.snapshotIndex}
          title={`voters ${status.voters.length}, learners ${status.learners.length}`}
        >
          {`term ${status.term} · voters ${status.voters.length}`}
        </span>
        <span
          className="consensus-primary"
          data-testid="raft-leader"
          data-agent={status.leader ?? undefined}
          title={status.leader ?? 'no leader known in this term'}
        >
          <span className="leader-mark" aria-hidden="true">
            ★
          </span>
          {status.leader === null ? (
            <span className="muted">no leader</span>
          ) : (
            <>
              <span className="mono">{shortId(status.leader)}</span>
              {status.leader === selfId && <span className="you-tag">you</span>}
            </>
          )}
        </span>
        <span
          className={`consensus-role raft-role--${status.role}`}
          data-testid="raft-role"
          data-role={status.role}
        >
          {ledgerRoleText(view)}
        </span>
      </div>
      <dl className="consensus-facts">
        <div>
          <dt>commit</dt>
          <dd className="mono">{status.commitIndex}</dd>
        </div>
        <div>
          <dt>applied</dt>
          <dd className="mono">{status.appliedIndex}</dd>
        </div>
        <div>
          <dt>last index</dt>
          <dd className="mono">{view.lastIndex}</dd>
        </div>
        <div>
          <dt>snapshot</dt>
          <dd className="mono">{view.snapshotIndex}</dd>
        </div>
        <div>
          <dt>own operations waiting</dt>
          <dd className="mono">{view.pendingOperations}</dd>
        </div>
      </dl>
    </div>
  );
}
