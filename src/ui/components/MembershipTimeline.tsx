import { scaleLinear } from 'd3';
import { useMemo, useRef } from 'react';
import { shortId } from '../../core/base/ids';
import { healthColour } from '../charts/palette';
import { selectLanes, selectTimelineRows, type Lanes } from '../store/membershipSelectors';
import { useMeshStore } from '../store/useMeshStore';
import { formatEventTime } from './format';
import { StatusBadge } from './MemberList';
import { useElementSize } from './useElementSize';

const LANE_HEIGHT = 16;
const LANE_GAP = 4;
const LABEL_WIDTH = 78;
const AXIS_HEIGHT = 16;

/** "-40 s", "-2.5 min", "now": tick labels relative to the newest moment shown. */
function relativeLabel(offsetMs: number): string {
  if (offsetMs === 0) return 'now';
  const seconds = offsetMs / 1000;
  return Math.abs(seconds) < 120 ? `${Math.round(seconds)} s` : `${(seconds / 60).toFixed(1)} min`;
}

/** One lane per member: the status over time, with a mark at every membership event. */
function LaneChart({ lanes }: { lanes: Lanes }) {
  const frameRef = useRef<HTMLDivElement>(null);
  const { width } = useElementSize(frameRef, { width: 640, height: 120 });
  const height = AXIS_HEIGHT + lanes.lanes.length * (LANE_HEIGHT + LANE_GAP);
  const x = scaleLinear()
    .domain([lanes.startMs - lanes.endMs, 0])
    .range([LABEL_WIDTH, Math.max(LABEL_WIDTH + 10, width - 10)]);
  const at = (ms: number) => x(ms - lanes.endMs);
  return (
    <div className="lanes-frame" ref={frameRef}>
      <svg
        className="lanes"
        data-testid="timeline-lanes"
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label="Membership status of each member over time"
      >
        {x.ticks(5).map((t) => (
          <g key={t} className="lane-tick" transform={`translate(${x(t).toFixed(1)},0)`}>
            <line y1={AXIS_HEIGHT - 3} y2={height} />
            <text y={AXIS_HEIGHT - 6} textAnchor="middle">
              {relativeLabel(t)}
            </text>
          </g>
        ))}
        {lanes.lanes.map((lane, i) => {
          const y = AXIS_HEIGHT + i * (LANE_HEIGHT + LANE_GAP);
          return (
            <g
              key={lane.id}
              className="lane"
              data-agent-id={lane.id}
              transform={`translate(0,${y})`}
            >
              <text
                className="lane-label"
                x={LABEL_WIDTH - 8}
                y={LANE_HEIGHT / 2}
                dy="0.35em"
                textAnchor="end"
              >
                {lane.isSelf ? `you ${lane.shortId.slice(0, 4)}` : lane.shortId}
              </text>
              <rect
                className="lane-track"
                x={LABEL_WIDTH}
                width={Math.max(0, at(lanes.endMs) - LABEL_WIDTH)}
                height={LANE_HEIGHT}
                rx={3}
              />
              {lane.segments.map((s) => (
                <rect
                  key={`${s.fromMs}-${s.status}`}
                  className="lane-segment"
                  x={at(s.fromMs)}
                  width={Math.max(2, at(s.toMs) - at(s.fromMs))}
                  height={LANE_HEIGHT}
                  rx={3}
                  fill={healthColour(s.status)}
                >
                  <title>{s.status}</title>
                </rect>
              ))}
              {lane.marks.map((m) => (
                <circle
                  key={m.seq}
                  className="lane-mark"
                  cx={at(m.atMs)}
                  cy={LANE_HEIGHT / 2}
                  r={4}
                  fill={m.to === null ? '#ffffff' : healthColour(m.to)}
                >
                  <title>{`${formatEventTime(m.atMs)} ${m.kind}${m.reason !== null ? `\n${m.reason}` : ''}`}</title>
                </circle>
              ))}
            </g>
          );
        })}
      </svg>
      {lanes.hidden > 0 && (
        <p className="muted lanes-hidden">{lanes.hidden} more members not drawn</p>
      )}
    </div>
  );
}

/** The membership events (kind member-*), newest first, each with its reason. */
export function MembershipTimeline() {
  const snapshot = useMeshStore((s) => s.snapshot);
  const events = useMeshStore((s) => s.events);
  const droppedEvents = useMeshStore((s) => s.droppedEvents);
  const rows = useMemo(
    () => selectTimelineRows({ events, droppedEvents }),
    [events, droppedEvents],
  );
  const lanes = useMemo(
    () =>
      snapshot === null || (rows.length === 0 && snapshot.members.length === 0)
        ? null
        : selectLanes(snapshot, rows),
    [snapshot, rows],
  );

  return (
    <div className="timeline">
      {lanes !== null && lanes.lanes.length > 0 && <LaneChart lanes={lanes} />}
      {rows.length === 0 ? (
        <p className="placeholder">No membership changes yet.</p>
      ) : (
        <ol className="timeline-list">
          {rows.map((row) => (
            <li
              key={row.seq}
              className={`timeline-row timeline-row--${row.to ?? 'other'}`}
              data-testid="timeline-row"
              data-kind={row.kind}
              data-peer={row.peer ?? undefined}
            >
              <time className="timeline-time mono">{formatEventTime(row.atMs)}</time>
              <span className="mono timeline-peer" title={row.peer ?? undefined}>
                {row.peer === null ? '—' : shortId(row.peer)}
              </span>
              <span className="timeline-change">
                {row.from !== null && (
                  <>
                    <StatusBadge status={row.from} />
                    <span className="muted"> → </span>
                  </>
                )}
                {row.to !== null ? (
                  <StatusBadge status={row.to} />
                ) : (
                  <span className="mono">{row.kind}</span>
                )}
              </span>
              <span className="timeline-reason">
                {row.reason ?? <span className="muted">no reason given</span>}
              </span>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
