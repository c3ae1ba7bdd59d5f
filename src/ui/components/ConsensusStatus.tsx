import { shortId, type AgentId } from '../../core/base/ids';
import type { ConsensusView } from '../../host/consensusView';
import { consensusSummary, rejectedText, roleText } from '../store/consensusSelectors';

export interface ConsensusStatusProps {
  view: ConsensusView;
  selfId: AgentId;
}

/** n, f, quorum and view; the primary; this agent's role and, when not honest, its behaviour. */
export function ConsensusStatus({ view, selfId }: ConsensusStatusProps) {
  const { status } = view;
  const rejected = rejectedText(view.rejected);
  return (
    <div className="consensus-status">
      <div className="consensus-line">
        <span
          className="consensus-numbers mono"
          data-testid="consensus-status"
          data-n={status.n}
          data-f={status.f}
          data-quorum={status.quorum}
          data-view={status.view}
          data-view-status={view.viewStatus}
          title={`${status.n} replicas tolerate ${status.f} faulty; ${status.quorum} matching votes decide`}
        >
          {consensusSummary(view)}
        </span>
        {view.viewStatus === 'view-change' && (
          <span className="badge badge--view-change" data-testid="consensus-view-changing">
            {`moving to view ${view.targetView}`}
          </span>
        )}
        <span
          className="consensus-primary"
          data-testid="consensus-primary"
          data-agent={status.primary ?? undefined}
          title={status.primary ?? 'no primary while the replica set is forming'}
        >
          <span className="primary-mark">P</span>
          {status.primary === null ? (
            <span className="muted">no primary</span>
          ) : (
            <>
              <span className="mono">{shortId(status.primary)}</span>
              {status.primary === selfId && <span className="you-tag">you</span>}
            </>
          )}
        </span>
        <span
          className={`consensus-role consensus-role--${view.role}`}
          data-testid="consensus-role"
          data-role={view.role}
          data-behaviour={status.behaviour}
        >
          {roleText(view)}
        </span>
        {status.behaviour !== 'honest' && (
          <span
            className="badge badge--byzantine"
            data-testid="consensus-behaviour"
            data-behaviour={status.behaviour}
            title="This agent's replica rewrites its outgoing pBFT messages (a chaos behaviour)"
          >
            {`behaves: ${status.behaviour}`}
          </span>
        )}
      </div>
      <dl className="consensus-facts">
        <div>
          <dt>executed</dt>
          <dd className="mono">{`seq ${status.lastExecutedSeq}`}</dd>
        </div>
        <div>
          <dt>stable checkpoint</dt>
          <dd className="mono">{`seq ${status.stableCheckpointSeq}`}</dd>
        </div>
        <div>
          <dt>pending requests</dt>
          <dd className="mono">{view.pendingRequests}</dd>
        </div>
        <div>
          <dt>own proposals waiting</dt>
          <dd className="mono">{view.outstandingProposals}</dd>
        </div>
        {rejected !== null && (
          <div>
            <dt>messages rejected</dt>
            <dd className="mono" title={rejected}>
              {Object.values(view.rejected).reduce((n, c) => n + c, 0)}
            </dd>
          </div>
        )}
      </dl>
    </div>
  );
}
