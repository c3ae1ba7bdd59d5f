import { performance } from 'node:perf_hooks';
import { createSeededPrng } from '../core/base/prng';

/** How one fault trial of a browser bench ended (a view change, a Raft failover). */
export type TrialOutcome<M> =
  | { kind: 'measured'; measured: M; formMs: number; bracketMs: number }
  | { kind: 'missed'; formMs: number; bracketMs: number }
  | { kind: 'unformed'; reason: string };

export interface TrialOptions {
  trials: number;
  seed: number;
  /** No new trial starts after this long (the bench's time budget); the count says how many ran. */
  budgetMs: number;
  /** Each trial gets a seeded pause U[0, maxPhaseMs) before its fault. */
  maxPhaseMs: number;
  progress?: (text: string) => void;
}

export interface TrialTally<M> {
  trials: number;
  measured: M[];
  missed: number;
  unformed: number;
  /** Why each unformed trial did not get to its fault. */
  unformedReasons: string[];
  /** Per formed trial: from every tab having the room open to the group formed. */
  formMs: number[];
  maxClockBracketMs: number;
  wallMs: number;
}

/**
 * Runs trials one after another within the budget, each with its seeded phase; one trial's
 * error (a page gone, a room that never opened) costs that trial only. Prints `.` per measured
 * trial, `x` per missed one, `u` per one that never got to its fault.
 */
export async function runTrials<M>(
  options: TrialOptions,
  run: (trial: number, phaseMs: number) => Promise<TrialOutcome<M>>,
): Promise<TrialTally<M>> {
  const progress = options.progress ?? (() => undefined);
  const prng = createSeededPrng(options.seed);
  const started = performance.now();
  const tally: TrialTally<M> = {
    trials: 0,
    measured: [],
    missed: 0,
    unformed: 0,
    unformedReasons: [],
    formMs: [],
    maxClockBracketMs: 0,
    wallMs: 0,
  };
  for (let trial = 0; trial < options.trials; trial++) {
    if (performance.now() - started > options.budgetMs) break;
    tally.trials++;
    const phaseMs = prng.nextFloat() * options.maxPhaseMs;
    const outcome = await run(trial, phaseMs).catch((error: unknown): TrialOutcome<M> => ({
      kind: 'unformed',
      reason: String(error).slice(0, 120),
    }));
    if (outcome.kind === 'unformed') {
      tally.unformed++;
      tally.unformedReasons.push(outcome.reason);
      progress('u');
      continue;
    }
    tally.formMs.push(outcome.formMs);
    tally.maxClockBracketMs = Math.max(tally.maxClockBracketMs, outcome.bracketMs);
    if (outcome.kind === 'missed') {
      tally.missed++;
      progress('x');
      continue;
    }
    tally.measured.push(outcome.measured);
    progress('.');
  }
  tally.wallMs = performance.now() - started;
  return tally;
}
