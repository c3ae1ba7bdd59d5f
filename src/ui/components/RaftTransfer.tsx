import { useMemo } from 'react';
import { shortId, type AgentId } from '../../core/base/ids';
import type { TransferOutcome } from '../store/ledgerSlice';
import { transferControl } from '../store/transferControl';
import { useMeshStore } from '../store/useMeshStore';

function Outcome({ transfer }: { transfer: TransferOutcome }) {
  if (transfer.state === 'waiting')
    return (
      <span
        className="proposal"
        data-testid="raft-transfer-outcome"
        data-state="waiting"
        data-to={transfer.to}
        role="status"
      >
        {`handing over to ${shortId(transfer.to)}…`}
      </span>
    );
  if (transfer.state === 'transferred')
    return (
      <span
        className="proposal proposal--ok"
        data-testid="raft-transfer-outcome"
        data-state="transferred"
        data-leader={transfer.leader}
        data-term={transfer.term}
        role="status"
      >
        {`${shortId(transfer.leader)} leads term ${transfer.term}`}
      </span>
    );
  return (
    <span
      className="proposal proposal--failed"
      data-testid="raft-transfer-outcome"
      data-state="failed"
      data-to={transfer.to}
      data-code={transfer.code ?? undefined}
      role="alert"
    >
      {transfer.code !== null && <span className="mono proposal-code">{transfer.code}</span>}
      {transfer.message}
    </span>
  );
}

/** "Transfer leadership" to another voter (usable on the leader's tab) and how it went. */
export function RaftTransfer() {
  const snapshot = useMeshStore((s) => s.snapshot);
  const ledgerCommands = useMeshStore((s) => s.ledgerCommands);
  const transferTo = useMeshStore((s) => s.transferTo);
  const transfer = useMeshStore((s) => s.transfer);
  const setTransferTo = useMeshStore((s) => s.setTransferTo);
  const transferLeadership = useMeshStore((s) => s.transferLeadership);
  const control = useMemo(
    () => transferControl({ snapshot, ledgerCommands, transferTo, transfer, transferLeadership }),
    [snapshot, ledgerCommands, transferTo, transfer, transferLeadership],
  );
  const { target } = control;
  return (
    <div className="consensus-propose raft-transfer">
      <div className="raft-transfer-controls">
        <label className="raft-transfer-label">
          <span className="muted">to</span>
          <select
            data-testid="raft-transfer-select"
            value={target ?? ''}
            disabled={!control.enabled}
            onChange={(event) => setTransferTo(event.target.value as AgentId)}
          >
            {control.candidates.length === 0 && <option value="">no other voter</option>}
            {control.candidates.map((id) => (
              <option key={id} value={id}>
                {shortId(id)}
              </option>
            ))}
          </select>
        </label>
        <span className="control-wrap" title={control.title}>
          <button
            type="button"
            className="button button--primary"
            data-testid="raft-transfer-button"
            disabled={!control.enabled}
            onClick={() => void control.run()}
          >
            Transfer leadership
          </button>
        </span>
      </div>
      {transfer !== null && <Outcome transfer={transfer} />}
    </div>
  );
}
