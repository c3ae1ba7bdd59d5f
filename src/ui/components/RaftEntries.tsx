import { useMemo } from 'react';
import type { LedgerView } from '../../host/ledgerView';
import { selectEntryRows } from '../store/ledgerSelectors';

/** The newest entries the ledger committed, newest first, each as short JSON. */
export function RaftEntries({ view }: { view: LedgerView }) {
  const rows = useMemo(() => selectEntryRows(view), [view]);
  return (
    <section
      className="consensus-section"
      data-testid="raft-entries"
      aria-labelledby="raft-entries-title"
    >
      <div className="consensus-section-head">
        <h3 id="raft-entries-title">
          Ledger <span className="muted">newest committed entries</span>
        </h3>
      </div>
      {rows.length === 0 ? (
        <p className="placeholder">Nothing committed yet.</p>
      ) : (
        <table className="peer-table consensus-table">
          <thead>
            <tr>
              <th className="num">Index</th>
              <th className="num">Term</th>
              <th>Entry</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr
                key={row.index}
                data-testid="raft-entry-row"
                data-index={row.index}
                data-term={row.term}
              >
                <td className="num mono">{row.index}</td>
                <td className="num mono">{row.term}</td>
                <td className="mono raft-entry-json" title={row.json}>
                  {row.jsonShort}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
