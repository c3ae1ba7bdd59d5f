import { useMemo } from 'react';
import { healthColour } from '../charts/palette';
import { selectMemberRows, type MemberRow } from '../store/membershipSelectors';
import { useMeshStore } from '../store/useMeshStore';
import { formatDuration } from './format';
import { GroupSelect } from './GroupSelect';

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

/** Every member of this agent's membership view, with why it has its status. */
export function MemberList() {
  const snapshot = useMeshStore((s) => s.snapshot);
  const selectedId = useMeshStore((s) => s.selectedId);
  const toggleSelected = useMeshStore((s) => s.toggleSelected);
  const partitionMode = useMeshStore((s) => s.partitionMode);
  const rows = useMemo(() => (snapshot === null ? [] : selectMemberRows(snapshot)), [snapshot]);

  if (snapshot === null) return <p className="placeholder">starting…</p>;
  if (rows.length === 0)
    return (
      <p className="placeholder">
        No membership view yet: the membership protocol has not reported.
      </p>
    );

  return (
    <div className="table-scroll">
      <table className="peer-table member-table">
        <thead>
          <tr>
            {partitionMode && <th scope="col">Group</th>}
            <th scope="col">Member</th>
            <th scope="col">Status</th>
            <th scope="col" className="num" title="incarnation">
              Inc.
            </th>
            <th scope="col" className="num">
              Since
            </th>
            <th scope="col">CPU</th>
            <th scope="col">Suspected by</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr
              key={row.id}
              className={row.id === selectedId ? 'is-selected' : undefined}
              data-testid="member-row"
              data-agent-id={row.id}
              data-status={row.status}
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
                {row.isSelf && <span className="you-tag">you</span>}
              </td>
              <td>
                <StatusBadge status={row.status} />
              </td>
              <td className="num mono">{row.incarnation}</td>
              <td className="num mono" title="time since this agent last changed the status">
                {formatDuration(row.sinceAgoMs)} ago
              </td>
              <td>
                <LoadBar cpu={row.cpu} />
              </td>
              <td className="mono">
                {row.suspectedBy.length === 0 ? (
                  <span className="muted">—</span>
                ) : (
                  <span className="chips">
                    {row.suspectedBy.map((s) => (
                      <span key={s.id} className="chip chip--suspect" title={s.id}>
                        {s.shortId}
                      </span>
                    ))}
                  </span>
                )}
              </td>
              <td className="reason-cell" title={row.reason ?? undefined}>
                {row.reason ?? <span className="muted">—</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
