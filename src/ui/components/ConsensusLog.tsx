import { useMemo } from 'react';
import { shortId, type AgentId } from '../../core/base/ids';
import type { ConsensusView } from '../../host/consensusView';
import { selectLogRows, shortDigest } from '../store/consensusSelectors';

export interface ConsensusLogProps {
  view: ConsensusView;
  selfId: AgentId;
}

/** The executed actions, newest first: what every honest replica applied in the same order. */
export function ConsensusLog({ view, selfId }: ConsensusLogProps) {
  const rows = useMemo(() => selectLogRows(view), [view]);
  return (
    <section
      className="consensus-section"
      data-testid="consensus-log"
      aria-labelledby="consensus-log-title"
    >
      <div className="consensus-section-head">
        <h3 id="consensus-log-title">
          Executed <span className="muted">newest first</span>
        </h3>
      </div>
      {rows.length === 0 ? (
        <p className="placeholder">Nothing executed yet.</p>
      ) : (
        <table className="peer-table consensus-table">
          <thead>
            <tr>
              <th className="num">Seq</th>
              <th className="num">View</th>
              <th>Kind</th>
              <th>Proposer</th>
              <th>Digest</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((entry) => (
              <tr
                key={`${entry.seq}.${entry.index}`}
                data-testid="consensus-log-row"
                data-seq={entry.seq}
                data-kind={entry.kind}
                data-proposer={entry.proposer}
              >
                <td className="num mono" title={`batch position ${entry.index}`}>
                  {entry.seq}
                  {entry.index > 0 && <span className="muted">{`.${entry.index}`}</span>}
                </td>
                <td className="num mono">{entry.view}</td>
                <td className="mono">{entry.kind}</td>
                <td className="mono" title={entry.proposer}>
                  {shortId(entry.proposer)}
                  {entry.proposer === selfId && <span className="you-tag">you</span>}
                </td>
                <td className="mono" title={entry.digest}>
                  {shortDigest(entry.digest)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
