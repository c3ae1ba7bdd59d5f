/**
 * What a pBFT replica does with its outgoing messages (core/pbft/README.md, "Byzantine
 * behaviours"). Here, beside the wire types, because the chaos command that switches an agent's
 * behaviour carries one of these names.
 */
export const BYZANTINE_BEHAVIOURS = [
  'honest',
  'equivocate',
  'wrong-digest',
  'silent',
  'replay',
  'conflicting-votes',
  'forge-view-change',
] as const;
export type ByzantineBehaviour = (typeof BYZANTINE_BEHAVIOURS)[number];

export function isByzantineBehaviour(value: unknown): value is ByzantineBehaviour {
  return typeof value === 'string' && (BYZANTINE_BEHAVIOURS as readonly string[]).includes(value);
}
