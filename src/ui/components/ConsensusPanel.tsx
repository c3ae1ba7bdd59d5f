import { useMeshStore } from '../store/useMeshStore';
import { ConsensusFlagged } from './ConsensusFlagged';
import { ConsensusLog } from './ConsensusLog';
import { ConsensusSlots } from './ConsensusSlots';
import { ConsensusStatus } from './ConsensusStatus';
import { ConsensusTimeline } from './ConsensusTimeline';
import { ProposeDemo } from './ProposeDemo';

/** The Consensus tab: this agent's view of the mesh's pBFT agreement on critical actions. */
export function ConsensusPanel() {
  const snapshot = useMeshStore((s) => s.snapshot);
  if (snapshot === null) return <p className="placeholder">starting…</p>;
  const view = snapshot.consensus;
  if (view === null)
    return <p className="placeholder">This agent runs without pBFT: nothing to agree on.</p>;
  return (
    <div className="consensus" data-testid="consensus-panel">
      <div className="consensus-head">
        <ConsensusStatus view={view} selfId={snapshot.selfId} />
        <ProposeDemo />
      </div>
      <div className="consensus-body">
        <ConsensusSlots view={view} selfId={snapshot.selfId} />
        <ConsensusLog view={view} selfId={snapshot.selfId} />
        <ConsensusTimeline view={view} />
        <ConsensusFlagged view={view} />
      </div>
    </div>
  );
}
