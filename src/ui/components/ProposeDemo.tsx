import type { ProposalOutcome } from '../store/consensusSlice';
import { useMeshStore } from '../store/useMeshStore';

export const CONSENSUS_NOT_WIRED = 'Consensus commands are not connected in this page yet.';
const PROPOSE_TITLE = 'Orders a demo action (a counter increment) through pBFT and waits for it';

function Outcome({ proposal }: { proposal: ProposalOutcome }) {
  if (proposal.state === 'waiting')
    return (
      <span
        className="proposal"
        data-testid="consensus-proposal"
        data-state="waiting"
        role="status"
      >
        waiting for the commit…
      </span>
    );
  if (proposal.state === 'committed')
    return (
      <span
        className="proposal proposal--ok"
        data-testid="consensus-proposal"
        data-state="committed"
        data-seq={proposal.seq}
        role="status"
      >
        {`committed at seq ${proposal.seq}, view ${proposal.view}`}
      </span>
    );
  return (
    <span
      className="proposal proposal--failed"
      data-testid="consensus-proposal"
      data-state="failed"
      data-code={proposal.code ?? undefined}
      role="alert"
    >
      {proposal.code !== null && <span className="mono proposal-code">{proposal.code}</span>}
      {proposal.message}
    </span>
  );
}

/** "Propose demo action" and how the newest proposal from this page went. */
export function ProposeDemo() {
  const wired = useMeshStore((s) => s.consensusCommands !== null);
  const proposal = useMeshStore((s) => s.proposal);
  const proposeDemo = useMeshStore((s) => s.proposeDemo);
  return (
    <div className="consensus-propose">
      <span className="control-wrap" title={wired ? PROPOSE_TITLE : CONSENSUS_NOT_WIRED}>
        <button
          type="button"
          className="button button--primary"
          data-testid="propose-demo"
          disabled={!wired}
          onClick={() => void proposeDemo()}
        >
          Propose demo action
        </button>
      </span>
      {proposal !== null && <Outcome proposal={proposal} />}
    </div>
  );
}
