/** How this agent's document stands against a peer's, from their state vectors. */
export type SyncState = 'in-sync' | 'behind' | 'ahead' | 'diverged';

/**
 * Compares two state vectors (client id -> next clock). Behind: the peer has updates this agent
 * lacks and not the reverse; diverged: each has some the other lacks. Deletions are not in a
 * state vector; they travel with every sync step 2, so they converge with the next exchange.
 */
export function compareStateVectors(
  mine: ReadonlyMap<number, number>,
  theirs: ReadonlyMap<number, number>,
): SyncState {
  let iLack = false;
  let theyLack = false;
  for (const [client, clock] of theirs) if (clock > (mine.get(client) ?? 0)) iLack = true;
  for (const [client, clock] of mine) if (clock > (theirs.get(client) ?? 0)) theyLack = true;
  if (iLack && theyLack) return 'diverged';
  if (iLack) return 'behind';
  if (theyLack) return 'ahead';
  return 'in-sync';
}
