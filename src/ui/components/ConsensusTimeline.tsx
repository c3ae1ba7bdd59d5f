import type { ConsensusView } from '../../host/consensusView';
import { shortDigest } from '../store/consensusSelectors';
import { formatEventTime } from './format';

/** Stable checkpoints, and the view changes this agent took part in, newest first. */
export function ConsensusTimeline({ view }: { view: ConsensusView }) {
  const viewChanges = [...view.viewChanges].reverse();
  return (
    <section className="consensus-section" aria-labelledby="consensus-history-title">
      <div className="consensus-section-head">
        <h3 id="consensus-history-title">Checkpoints and view changes</h3>
      </div>
      <div className="chips checkpoint-chips" data-testid="consensus-checkpoints">
        {view.checkpoints.length === 0 && <span className="muted">no stable checkpoint yet</span>}
        {view.checkpoints.map((c) => (
          <span
            key={c.seq}
            className="chip mono"
            data-testid="consensus-checkpoint"
            data-seq={c.seq}
            title={`stable at ${formatEventTime(c.atMs)}; state ${c.stateDigest}`}
          >
            {`seq ${c.seq} · ${shortDigest(c.stateDigest)}`}
          </span>
        ))}
      </div>
      {viewChanges.length === 0 && view.viewStatus === 'normal' ? (
        <p className="placeholder">No view change yet.</p>
      ) : (
        <ol className="view-change-list" data-testid="consensus-view-changes">
          {view.viewStatus === 'view-change' && (
            <li className="view-change-row view-change-row--open">
              <span className="consensus-time muted">now</span>
              <span className="mono">{`view ${view.status.view} → ${view.targetView}`}</span>
              <span className="consensus-reason">waiting for a new-view message</span>
            </li>
          )}
          {viewChanges.map((change) => (
            <li
              key={`${change.atMs}:${change.toView}`}
              className="view-change-row"
              data-testid="consensus-view-change"
              data-to-view={change.toView}
            >
              <time className="consensus-time mono">{formatEventTime(change.atMs)}</time>
              <span className="mono">{`view ${change.fromView} → ${change.toView}`}</span>
              <span className="consensus-reason">{change.reason}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
