import type { StateCreator } from 'zustand/vanilla';
import type { ConsensusCommands } from '../../host/consensusView';

/** How the newest "Propose demo action" went. */
export type ProposalOutcome =
  | { state: 'waiting' }
  | { state: 'committed'; seq: number; view: number }
  | { state: 'failed'; code: string | null; message: string };

/**
 * The Consensus tab's commands, injected by the composition root (main.tsx) with
 * `store.getState().setConsensusCommands(commands)`; null until then (the button is disabled).
 */
export interface ConsensusSlice {
  consensusCommands: ConsensusCommands | null;
  /** The newest proposal made from this dashboard, or null before the first. */
  proposal: ProposalOutcome | null;
  setConsensusCommands(commands: ConsensusCommands | null): void;
  /**
   * Proposes the demo action and records how it ended. A rejection is shown, not rethrown.
   * Resolves once the outcome is recorded.
   */
  proposeDemo(): Promise<void>;
}

/** The `code` property the mesh puts on its errors (a string), and the message. */
export function describeError(error: unknown): { code: string | null; message: string } {
  const code =
    typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
      ? error.code
      : null;
  const message = error instanceof Error ? error.message : String(error);
  return { code, message };
}

export const createConsensusSlice: StateCreator<ConsensusSlice> = (set, get) => {
  // Numbers the proposals, so a slow older one cannot overwrite the newest one's outcome.
  let newestProposal = 0;
  return {
    consensusCommands: null,
    proposal: null,
    setConsensusCommands: (consensusCommands) => set({ consensusCommands }),
    proposeDemo: async () => {
      const commands = get().consensusCommands;
      if (commands === null) return;
      const id = ++newestProposal;
      set({ proposal: { state: 'waiting' } });
      let outcome: ProposalOutcome;
      try {
        const { seq, view } = await commands.proposeDemo();
        outcome = { state: 'committed', seq, view };
      } catch (error) {
        outcome = { state: 'failed', ...describeError(error) };
      }
      if (id === newestProposal) set({ proposal: outcome });
    },
  };
};
