import { busyKind } from './busy';
import { countPrimesKind } from './countPrimes';
import { fractalTileKind } from './fractalTile';
import type { TaskKind } from './taskKind';

export type { TaskContext, TaskKind } from './taskKind';
export { decodeTileIterations, type FractalTileInput, type FractalTileResult } from './fractalTile';

/** The kinds every runner has without registering: a fresh map each call, nothing shared. */
export function builtinTaskKinds(): ReadonlyMap<string, TaskKind> {
  return new Map<string, TaskKind>([
    ['count-primes', countPrimesKind],
    ['busy', busyKind],
    ['fractal-tile', fractalTileKind],
  ]);
}
