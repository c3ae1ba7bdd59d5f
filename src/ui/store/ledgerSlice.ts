import type { StateCreator } from 'zustand/vanilla';
import type { AgentId } from '../../core/base/ids';
import type { LedgerCommands } from '../../host/ledgerView';
import { describeError } from './consensusSlice';

/** How the newest "Transfer leadership" went. */
export type TransferOutcome =
  | { state: 'waiting'; to: AgentId }
  | { state: 'transferred'; leader: AgentId; term: number }
  | { state: 'failed'; to: AgentId; code: string | null; message: string };

/**
 * The Raft tab's commands, injected by the composition root (main.tsx) with
 * `store.getState().setLedgerCommands(commands)`; null until then (the transfer is disabled).
 */
export interface LedgerSlice {
  ledgerCommands: LedgerCommands | null;
  /** The voter picked in the transfer select, or null (the first candidate is used). */
  transferTo: AgentId | null;
  /** The newest transfer asked from this dashboard, or null before the first. */
  transfer: TransferOutcome | null;
  setLedgerCommands(commands: LedgerCommands | null): void;
  setTransferTo(to: AgentId | null): void;
  /**
   * Asks this agent to hand leadership to `to` and records how it ended. A rejection is shown,
   * not rethrown. Resolves once the outcome is recorded.
   */
  transferLeadership(to: AgentId): Promise<void>;
}

export const createLedgerSlice: StateCreator<LedgerSlice> = (set, get) => {
  // Numbers the transfers, so a slow older one cannot overwrite the newest one's outcome.
  let newestTransfer = 0;
  return {
    ledgerCommands: null,
    transferTo: null,
    transfer: null,
    setLedgerCommands: (ledgerCommands) => set({ ledgerCommands }),
    setTransferTo: (transferTo) => set({ transferTo }),
    transferLeadership: async (to) => {
      const commands = get().ledgerCommands;
      if (commands === null) return;
      const id = ++newestTransfer;
      set({ transfer: { state: 'waiting', to } });
      let outcome: TransferOutcome;
      try {
        const { leader, term } = await commands.transferLeadership(to);
        outcome = { state: 'transferred', leader, term };
      } catch (error) {
        outcome = { state: 'failed', to, ...describeError(error) };
      }
      if (id === newestTransfer) set({ transfer: outcome });
    },
  };
};
