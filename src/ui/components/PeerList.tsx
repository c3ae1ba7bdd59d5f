import { useMemo } from 'react';
import { selectPeerRows, type PeerRow } from '../store/selectors';
import { useMeshStore } from '../store/useMeshStore';
import { describeFault, formatDuration, formatRtt } from './format';
import { GroupSelect } from './GroupSelect';

function Faults({ row }: { row: PeerRow }) {
  const parts = describeFault(row.fault);
  if (parts.length === 0 && row.framesDroppedByFault === 0)
    return <span className="muted">none</span>;
  return (
    <span className="chips">
      {parts.map((part) => (
        <span key={part} className="chip chip--fault">
          {part}
        </span>
      ))}
      {row.framesDroppedByFault > 0 && (
        <span className="chip" title="frames dropped by the fault layer">
          {row.framesDroppedByFault} dropped
        </span>
      )}
    </span>
  );
}

export function PeerList() {
  const snapshot = useMeshStore((s) => s.snapshot);
  const selectedId = useMeshStore((s) => s.selectedId);
  const toggleSelected = useMeshStore((s) => s.toggleSelected);
  const partitionMode = useMeshStore((s) => s.partitionMode);
  const rows = useMemo(() => (snapshot === null ? [] : selectPeerRows(snapshot)), [snapshot]);

  if (snapshot === null) return <p className="placeholder">starting…</p>;
  if (rows.length === 0)
    return <p className="placeholder">No peers in room “{snapshot.room}” yet.</p>;

  return (
    <div className="table-scroll">
      <table className="peer-table">
        <thead>
          <tr>
            {partitionMode && <th scope="col">Group</th>}
            <th scope="col">Peer</th>
            <th scope="col">Link</th>
            <th scope="col" className="num">
              RTT
            </th>
            <th scope="col" className="num">
              Open for
            </th>
            <th scope="col">Faults</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr
              key={row.id}
              className={row.id === selectedId ? 'is-selected' : undefined}
              data-testid="peer-row"
              data-agent-id={row.id}
              data-state={row.state}
              aria-selected={row.id === selectedId}
              onClick={() => toggleSelected(row.id)}
            >
              {partitionMode && (
                <td>
                  <GroupSelect id={row.id} label={row.shortId} />
                </td>
              )}
              <td className="mono" title={row.id}>
                {row.shortId}
                {row.initiator && (
                  <span className="muted" title="this agent made the offer">
                    {' '}
                    ↗
                  </span>
                )}
              </td>
              <td>
                <span className={`badge badge--${row.state}`}>{row.state}</span>
              </td>
              <td className="num mono">{formatRtt(row.rttMs)}</td>
              <td className="num mono">{formatDuration(row.openForMs)}</td>
              <td>
                <Faults row={row} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
