import { shortId } from '../../core/base/ids';
import type { ConsensusView } from '../../host/consensusView';
import { formatEventTime } from './format';

/** Replicas proven to have misbehaved, each with the evidence. */
export function ConsensusFlagged({ view }: { view: ConsensusView }) {
  const flagged = [...view.flagged].reverse();
  return (
    <section
      className="consensus-section"
      data-testid="consensus-flagged"
      data-count={flagged.length}
      aria-labelledby="consensus-flagged-title"
    >
      <div className="consensus-section-head">
        <h3 id="consensus-flagged-title">Flagged replicas</h3>
      </div>
      {flagged.length === 0 ? (
        <p className="placeholder">No replica caught misbehaving.</p>
      ) : (
        <ol className="flagged-list">
          {flagged.map((flag) => (
            <li
              key={`${flag.atMs}:${flag.replica}:${flag.kind}`}
              className="flagged-row"
              data-testid="consensus-flagged-row"
              data-agent={flag.replica}
              data-kind={flag.kind}
            >
              <span className="mono flagged-replica" title={flag.replica}>
                {shortId(flag.replica)}
              </span>
              <span className="badge badge--flagged">{flag.kind}</span>
              <time className="consensus-time mono">{formatEventTime(flag.atMs)}</time>
              <span className="flagged-evidence">{flag.evidence}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
