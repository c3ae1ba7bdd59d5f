import type { StateCreator } from 'zustand/vanilla';
import { EMPTY_LOAD_HISTORY, type LoadHistory } from './loadHistory';

/**
 * Every agent's recent load for the Tasks tab's charts. `ingest` advances it with each snapshot
 * (advanceLoadHistory); nothing else writes it.
 */
export interface LoadHistorySlice {
  loadHistory: LoadHistory;
}

export const createLoadHistorySlice: StateCreator<LoadHistorySlice> = () => ({
  loadHistory: EMPTY_LOAD_HISTORY,
});
