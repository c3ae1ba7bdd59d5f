import { useMemo } from 'react';
import { shortId } from '../../core/base/ids';
import { selectEventRows } from '../store/selectors';
import { useMeshStore } from '../store/useMeshStore';
import { formatEventTime } from './format';

/** Newest first; the store keeps the newest EVENT_LOG_LIMIT events. */
export function EventLog() {
  const events = useMeshStore((s) => s.events);
  const droppedEvents = useMeshStore((s) => s.droppedEvents);
  const rows = useMemo(() => selectEventRows({ events, droppedEvents }), [events, droppedEvents]);

  if (rows.length === 0) return <p className="placeholder">No events yet.</p>;

  return (
    <div className="event-scroll">
      <ol className="event-list">
        {rows.map(({ seq, event }) => (
          <li
            key={seq}
            className={`event event--${event.level}`}
            data-testid="event-row"
            data-kind={event.kind}
            data-level={event.level}
            data-peer={event.peer}
          >
            <time className="event-time mono">{formatEventTime(event.atMs)}</time>
            <span className={`level level--${event.level}`}>{event.level}</span>
            <span className="event-kind mono">{event.kind}</span>
            <span className="event-peer mono" title={event.peer}>
              {event.peer !== undefined ? shortId(event.peer) : ''}
            </span>
            {event.detail !== undefined && <span className="event-detail">{event.detail}</span>}
          </li>
        ))}
      </ol>
      {droppedEvents > 0 && (
        <p className="muted event-dropped" data-testid="events-dropped">
          {droppedEvents} older events dropped
        </p>
      )}
    </div>
  );
}
