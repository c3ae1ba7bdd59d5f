import { shortId } from '../../core/base/ids';
import type { MeshSnapshot } from '../../host/meshSnapshot';
import { useMeshStore } from '../store/useMeshStore';

function Facts({ snapshot }: { snapshot: MeshSnapshot }) {
  const { signaling } = snapshot;
  const open = snapshot.links.filter((l) => l.state === 'open').length;
  return (
    <dl className="header-facts">
      <div>
        <dt>you</dt>
        <dd
          className="mono"
          data-testid="self-id"
          data-agent-id={snapshot.selfId}
          title={snapshot.selfId}
        >
          {shortId(snapshot.selfId)}
        </dd>
      </div>
      <div>
        <dt>room</dt>
        <dd data-testid="room">{snapshot.room}</dd>
      </div>
      <div>
        <dt>signaling</dt>
        <dd title={signaling.url}>
          <span
            className={`badge badge--${signaling.state}`}
            data-testid="signaling-state"
            data-state={signaling.state}
          >
            {signaling.state}
          </span>
          {signaling.reconnects > 0 && (
            <span className="muted"> · {signaling.reconnects} reconnects</span>
          )}
        </dd>
      </div>
      <div>
        <dt>links</dt>
        <dd data-testid="open-links">
          {open} open / {snapshot.links.length}
        </dd>
      </div>
    </dl>
  );
}

export function Header() {
  const snapshot = useMeshStore((s) => s.snapshot);
  return (
    <header className="app-header">
      <h1 className="brand">
        <span className="brand-mark" aria-hidden="true" />
        mesh-coordinator
      </h1>
      {snapshot === null ? (
        <p className="header-facts">
          <span
            className="badge badge--connecting"
            data-testid="signaling-state"
            data-state="starting"
          >
            starting…
          </span>
        </p>
      ) : (
        <Facts snapshot={snapshot} />
      )}
    </header>
  );
}
