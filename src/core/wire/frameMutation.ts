import type { Prng } from '../base/prng';

/**
 * Test support for the codec fuzzers; nothing outside `*.test.ts` imports it. One to three
 * random edits of a frame: a byte replaced or a bit flipped, the frame cut short, a byte put in
 * or taken out, or a run of its own bytes copied in elsewhere.
 */
export function mutateFrame(prng: Prng, frame: Uint8Array): Uint8Array {
  let bytes = Array.from(frame);
  for (let m = 1 + prng.nextInt(3); m > 0; m--) {
    const at = bytes.length === 0 ? 0 : prng.nextInt(bytes.length);
    switch (prng.nextInt(6)) {
      case 0:
        bytes[at] = prng.nextInt(256);
        break;
      case 1:
        bytes[at] = (bytes[at] ?? 0) ^ (1 << prng.nextInt(8));
        break;
      case 2:
        bytes = bytes.slice(0, at);
        break;
      case 3:
        bytes.splice(at, 0, prng.nextInt(256));
        break;
      case 4:
        bytes.splice(at, 1);
        break;
      default:
        bytes.splice(at, 0, ...bytes.slice(prng.nextInt(bytes.length + 1)).slice(0, 30));
    }
  }
  return Uint8Array.from(bytes);
}
