import { useMemo } from 'react';
import { shortId, type AgentId } from '../../core/base/ids';
import type { ConsensusView, ReplicaSlotStatus } from '../../host/consensusView';
import { SLOT_STATUS_COLOURS } from '../charts/palette';
import { selectSlotRows, slotColumns } from '../store/consensusSelectors';

/** Each status also as letters, so the grid reads without telling colours apart. */
const STATUS_LETTERS: Record<ReplicaSlotStatus, string> = {
  none: '·',
  'pre-prepared': 'PP',
  prepared: 'P',
  committed: 'C',
  executed: 'E',
};

const LEGEND: ReplicaSlotStatus[] = ['pre-prepared', 'prepared', 'committed', 'executed'];

function StatusLegend() {
  return (
    <ul className="legend slot-legend" aria-label="Slot status legend">
      {LEGEND.map((status) => (
        <li key={status}>
          <span className="slot-swatch" style={{ background: SLOT_STATUS_COLOURS[status] }} />{' '}
          {status}
        </li>
      ))}
    </ul>
  );
}

export interface ConsensusSlotsProps {
  view: ConsensusView;
  selfId: AgentId;
}

/** The log window: a row per sequence number, a cell per replica coloured by how far it got. */
export function ConsensusSlots({ view, selfId }: ConsensusSlotsProps) {
  const columns = useMemo(() => slotColumns(view), [view]);
  const rows = useMemo(() => selectSlotRows(view, columns), [view, columns]);
  const primary = view.status.primary;
  const flagged = useMemo(() => new Set(view.flagged.map((f) => f.replica)), [view]);
  return (
    <section
      className="consensus-section"
      data-testid="consensus-slots"
      aria-labelledby="consensus-slots-title"
    >
      <div className="consensus-section-head">
        <h3 id="consensus-slots-title">
          Ordering <span className="muted">newest first</span>
        </h3>
        <StatusLegend />
      </div>
      {rows.length === 0 ? (
        <p className="placeholder">No sequence number in the log window.</p>
      ) : (
        <table className="peer-table consensus-table slot-grid">
          <thead>
            <tr>
              <th className="num">Seq</th>
              <th className="num">View</th>
              <th>Kinds</th>
              <th>Digest</th>
              {columns.map((id) => (
                <th key={id} className="slot-head mono" title={id}>
                  {shortId(id)}
                  {id === primary && <span className="primary-mark">P</span>}
                  {flagged.has(id) && <span className="flag-mark">!</span>}
                  {id === selfId && <span className="you-tag">you</span>}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr
                key={row.seq}
                data-testid="consensus-slot-row"
                data-seq={row.seq}
                data-phase={row.phase}
              >
                <td className="num mono">{row.seq}</td>
                <td className="num mono">{row.view}</td>
                <td className="slot-kinds" title={row.kinds}>
                  {row.kinds}
                </td>
                <td className="mono" title={row.digest === '' ? 'no pre-prepare yet' : row.digest}>
                  {row.digestShort}
                </td>
                {row.cells.map((cell) => (
                  <td
                    key={cell.id}
                    className="slot-cell mono"
                    data-testid="consensus-slot-cell"
                    data-agent={cell.id}
                    data-status={cell.status}
                    title={`${shortId(cell.id)}: ${cell.status}`}
                    style={{ background: SLOT_STATUS_COLOURS[cell.status] }}
                  >
                    {STATUS_LETTERS[cell.status]}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
