import type { PeerSyncView } from '../../crdt/docSync';

const TITLES: Record<PeerSyncView['state'], string> = {
  'in-sync': 'holds the same updates as this tab',
  behind: 'this tab lacks updates the peer has',
  ahead: 'the peer lacks updates this tab has',
  diverged: 'each side has updates the other lacks',
  unknown: 'no state vector exchanged yet',
};

/** One chip per linked peer: how this tab's document stands against the peer's. */
export function SyncIndicators({ peers, rejected }: { peers: PeerSyncView[]; rejected: number }) {
  return (
    <div className="sync-indicators" data-testid="sync-indicators">
      {peers.length === 0 && <span className="muted">no peers to sync with</span>}
      {peers.map((p) => (
        <span
          key={p.peer}
          className={`badge badge--sync-${p.state}`}
          data-testid="sync-indicator"
          data-peer={p.peer}
          data-state={p.state}
          title={TITLES[p.state]}
        >
          {p.peer.slice(0, 8)} {p.state}
        </span>
      ))}
      {rejected > 0 && (
        <span className="badge badge--warn" title="updates refused: malformed or over the limit">
          {rejected} refused
        </span>
      )}
    </div>
  );
}
