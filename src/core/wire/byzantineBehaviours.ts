/**
 * What a pBFT replica does with its outgoing messages (core/pbft/README.md, "Byzantine
 * behaviours"). Here, beside the wire types, because the chaos command that switches an agent's
 * behaviour carries one of these names.
 */
export const PBFT_BEHAVIOURS = [
  'honest',
  'equivocate',
  'wrong-digest',
  'silent',
  'replay',
  'conflicting-votes',
  'forge-view-change',
] as const;
export type PbftBehaviour = (typeof PBFT_BEHAVIOURS)[number];

/**
 * Every behaviour an agent can be switched to: pBFT's, and `lie-results`, an agent honest in
 * pBFT whose task results are forged (core/tasks/forgedResults.ts; critical jobs catch it).
 */
export const BYZANTINE_BEHAVIOURS = [...PBFT_BEHAVIOURS, 'lie-results'] as const;
export type ByzantineBehaviour = (typeof BYZANTINE_BEHAVIOURS)[number];

export function isByzantineBehaviour(value: unknown): value is ByzantineBehaviour {
  return typeof value === 'string' && (BYZANTINE_BEHAVIOURS as readonly string[]).includes(value);
}

/** What the agent's pBFT replica does under `behaviour` (honest unless it is one of pBFT's). */
export function pbftBehaviourOf(behaviour: ByzantineBehaviour): PbftBehaviour {
  return (PBFT_BEHAVIOURS as readonly string[]).includes(behaviour)
    ? (behaviour as PbftBehaviour)
    : 'honest';
}
