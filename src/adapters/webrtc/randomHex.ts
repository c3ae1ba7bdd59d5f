import { bytesToHex } from '../../core/base/ids';

/** Random hex of `bytes` bytes from the platform's CSPRNG (nonces and command ids). */
export function randomHex(bytes: number): string {
  return bytesToHex(crypto.getRandomValues(new Uint8Array(bytes)));
}
