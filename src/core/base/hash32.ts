/**
 * A 32-bit string hash for placing things (hash-ring points and keys): FNV-1a over the UTF-16
 * code units, then the murmur3 finaliser, so strings that differ in one character (an id and
 * its virtual-node number) land far apart. Not for anything an adversary must not steer.
 */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
