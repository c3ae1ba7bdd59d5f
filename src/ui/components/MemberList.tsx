import { useMemo } from 'react';
import { healthColour } from '../charts/palette';
import { selectMemberRows, type MemberRow } from '../store/membershipSelectors';
import { useMeshStore } from '../store/useMeshStore';
import { AgentTable, type AgentColumn } from './AgentTable';
import { formatDuration } from './format';

export function StatusBadge({ status }: { status: MemberRow['status'] | 'unknown' }) {
  return (
    <span className="badge" style={{ background: healthColour(status) }}>
      {status}
    </span>
  );
}

function LoadBar({ cpu }: { cpu: number | null }) {
  if (cpu === null) return <span className="muted">—</span>;
  const percent = Math.round(cpu * 100);
  const level = cpu >= 0.85 ? 'high' : cpu >= 0.6 ? 'mid' : 'low';
  return (
    <span className="load" title={`CPU ${percent}%`}>
      <span className="load-track">
        <span className={`load-fill load-fill--${level}`} style={{ width: `${percent}%` }} />
      </span>
      <span className="load-text mono">{percent}%</span>
    </span>
  );
}

const COLUMNS: AgentColumn<MemberRow>[] = [
  {
    header: 'Member',
    cellClassName: 'mono',
    cellTitle: (row) => row.id,
    cell: (row) => (
      <>
        {row.shortId}
        {row.isSelf && <span className="you-tag">you</span>}
      </>
    ),
  },
  {
    header: 'Status',
    cell: (row) => (
      <>
        <StatusBadge status={row.status} />
        {row.unheard && (
          <span
            className="chip chip--suspect unheard"
            data-testid="member-unheard"
            title="not heard for 3 s, directly or through any neighbour: not counted in the quorum"
          >
            not heard
          </span>
        )}
      </>
    ),
  },
  {
    header: 'Inc.',
    headerTitle: 'incarnation',
    numeric: true,
    cellClassName: 'num mono',
    cell: (row) => row.incarnation,
  },
  {
    header: 'Since',
    numeric: true,
    cellClassName: 'num mono',
    cellTitle: () => 'time since this agent last changed the status',
    cell: (row) => `${formatDuration(row.sinceAgoMs)} ago`,
  },
  { header: 'CPU', cell: (row) => <LoadBar cpu={row.cpu} /> },
  {
    header: 'Suspected by',
    cellClassName: 'mono',
    cell: (row) =>
      row.suspectedBy.length === 0 ? (
        <span className="muted">—</span>
      ) : (
        <span className="chips">
          {row.suspectedBy.map((s) => (
            <span key={s.id} className="chip chip--suspect" title={s.id}>
              {s.shortId}
            </span>
          ))}
        </span>
      ),
  },
  {
    header: 'Reason',
    cellClassName: 'reason-cell',
    cellTitle: (row) => row.reason ?? undefined,
    cell: (row) => row.reason ?? <span className="muted">—</span>,
  },
];

/** Every member of this agent's membership view, with why it has its status. */
export function MemberList() {
  const snapshot = useMeshStore((s) => s.snapshot);
  const rows = useMemo(() => (snapshot === null ? [] : selectMemberRows(snapshot)), [snapshot]);

  if (snapshot === null) return <p className="placeholder">starting…</p>;
  if (rows.length === 0)
    return (
      <p className="placeholder">
        No membership view yet: the membership protocol has not reported.
      </p>
    );

  return (
    <AgentTable
      rows={rows}
      columns={COLUMNS}
      className="peer-table member-table"
      rowTestId="member-row"
      rowData={(row) => ({ 'data-status': row.status })}
    />
  );
}
