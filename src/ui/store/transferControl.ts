import { compareIds, shortId, type AgentId } from '../../core/base/ids';
import type { MeshState } from './meshStore';

export const LEDGER_NOT_WIRED = 'Ledger commands are not connected in this page yet.';

/** The "Transfer leadership" control: what it offers, whether it can be used, what it does. */
export interface TransferControl {
  enabled: boolean;
  /** Tooltip: what the button will do, or why it is disabled. */
  title: string;
  /** The other voters, by id. */
  candidates: AgentId[];
  /** The voter the button hands over to: the one picked if still a candidate, else the first. */
  target: AgentId | null;
  /** Hands over to `target` (a no-op while disabled); the outcome lands in the store. */
  run(): Promise<void>;
}

export type TransferControlInput = Pick<
  MeshState,
  'snapshot' | 'ledgerCommands' | 'transferTo' | 'transfer' | 'transferLeadership'
>;

/** The control as a function of store state, so tests drive exactly what the button does. */
export function transferControl(state: TransferControlInput): TransferControl {
  const { snapshot, ledgerCommands, transferTo, transfer } = state;
  const view = snapshot?.ledger ?? null;
  const selfId = snapshot?.selfId ?? null;
  const candidates =
    view === null ? [] : view.status.voters.filter((id) => id !== selfId).sort(compareIds);
  const target =
    transferTo !== null && candidates.includes(transferTo) ? transferTo : (candidates[0] ?? null);
  const disabled = (title: string): TransferControl => ({
    enabled: false,
    title,
    candidates,
    target,
    run: () => Promise.resolve(),
  });
  if (ledgerCommands === null) return disabled(LEDGER_NOT_WIRED);
  if (view === null) return disabled('This agent runs without the Raft ledger');
  if (view.status.role !== 'leader') return disabled('Only the leader can hand over leadership');
  if (target === null) return disabled('There is no other voter to hand over to');
  // One at a time: a second request would race the first and be refused.
  if (transfer?.state === 'waiting') return disabled('A transfer is under way');
  return {
    enabled: true,
    title: `Hands leadership to ${shortId(target)} and waits until it leads`,
    candidates,
    target,
    run: () => state.transferLeadership(target),
  };
}
