import { useMemo } from 'react';
import { selectPeerRows, type PeerRow } from '../store/selectors';
import { useMeshStore } from '../store/useMeshStore';
import { AgentTable, type AgentColumn } from './AgentTable';
import { FaultChips } from './FaultChips';
import { describeFault, formatDuration, formatRtt } from './format';

const COLUMNS: AgentColumn<PeerRow>[] = [
  {
    header: 'Peer',
    cellClassName: 'mono',
    cellTitle: (row) => row.id,
    cell: (row) => (
      <>
        {row.shortId}
        {row.initiator && (
          <span className="muted" title="this agent made the offer">
            {' '}
            ↗
          </span>
        )}
      </>
    ),
  },
  {
    header: 'Link',
    cell: (row) => <span className={`badge badge--${row.state}`}>{row.state}</span>,
  },
  { header: 'RTT', numeric: true, cellClassName: 'num mono', cell: (row) => formatRtt(row.rttMs) },
  {
    header: 'Open for',
    numeric: true,
    cellClassName: 'num mono',
    cell: (row) => formatDuration(row.openForMs),
  },
  {
    header: 'Faults',
    cell: (row) =>
      describeFault(row.fault).length === 0 && row.framesDroppedByFault === 0 ? (
        <span className="muted">none</span>
      ) : (
        <FaultChips fault={row.fault} dropped={row.framesDroppedByFault} />
      ),
  },
];

/** This agent's own links, one row a peer: state, round trip, faults. */
export function PeerList() {
  const snapshot = useMeshStore((s) => s.snapshot);
  const rows = useMemo(() => (snapshot === null ? [] : selectPeerRows(snapshot)), [snapshot]);

  if (snapshot === null) return <p className="placeholder">starting…</p>;
  if (rows.length === 0)
    return <p className="placeholder">No peers in room “{snapshot.room}” yet.</p>;

  return (
    <AgentTable
      rows={rows}
      columns={COLUMNS}
      className="peer-table"
      rowTestId="peer-row"
      rowData={(row) => ({ 'data-state': row.state })}
    />
  );
}
