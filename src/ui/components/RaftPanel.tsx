import { useMeshStore } from '../store/useMeshStore';
import { RaftEntries } from './RaftEntries';
import { RaftProgress } from './RaftProgress';
import { RaftStatus } from './RaftStatus';
import { RaftTimeline } from './RaftTimeline';
import { RaftTransfer } from './RaftTransfer';

/** The Raft tab: this agent's node in the Raft group behind `mesh.ledger`. */
export function RaftPanel() {
  const snapshot = useMeshStore((s) => s.snapshot);
  if (snapshot === null) return <p className="placeholder">starting…</p>;
  const view = snapshot.ledger;
  if (view === null) return <p className="placeholder">This agent runs without the Raft ledger.</p>;
  return (
    <div className="consensus raft" data-testid="raft-panel">
      <div className="consensus-head">
        <RaftStatus view={view} selfId={snapshot.selfId} />
        <RaftTransfer />
      </div>
      <div className="consensus-body">
        <RaftProgress view={view} />
        <RaftTimeline view={view} selfId={snapshot.selfId} />
        <RaftEntries view={view} />
      </div>
    </div>
  );
}
