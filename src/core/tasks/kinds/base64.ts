/** Standard base64 (RFC 4648 §4, with padding), written here because the core has no btoa. */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** Each character code's 6-bit value, -1 for characters outside the alphabet. */
const VALUES = new Int8Array(128).fill(-1);
for (let value = 0; value < ALPHABET.length; value++) VALUES[ALPHABET.charCodeAt(value)] = value;

export function encodeBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] as number;
    const b = i + 1 < bytes.length ? (bytes[i + 1] as number) : 0;
    const c = i + 2 < bytes.length ? (bytes[i + 2] as number) : 0;
    const triple = (a << 16) | (b << 8) | c;
    chunk += ALPHABET[(triple >> 18) & 63];
    chunk += ALPHABET[(triple >> 12) & 63];
    chunk += i + 1 < bytes.length ? ALPHABET[(triple >> 6) & 63] : '=';
    chunk += i + 2 < bytes.length ? ALPHABET[triple & 63] : '=';
    // Joining chunks keeps long strings from becoming deep rope chains.
    if (chunk.length >= 4096) {
      parts.push(chunk);
      chunk = '';
    }
  }
  parts.push(chunk);
  return parts.join('');
}

/** Throws on text that is not canonical padded base64. */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  if (text.length % 4 !== 0) throw new Error('base64 text length is not a multiple of 4');
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const bytes = new Uint8Array((text.length / 4) * 3 - padding);
  const dataChars = text.length - padding;
  let out = 0;
  for (let i = 0; i < text.length; i += 4) {
    let quad = 0;
    for (let j = i; j < i + 4; j++) {
      const value = j < dataChars ? (VALUES[text.charCodeAt(j)] ?? -1) : 0;
      if (value < 0) throw new Error(`not a base64 character at ${j}`);
      quad = (quad << 6) | value;
    }
    bytes[out++] = quad >> 16;
    if (out < bytes.length) bytes[out++] = (quad >> 8) & 255;
    if (out < bytes.length) bytes[out++] = quad & 255;
    // Canonical: the bits the padding drops must be zero.
    if (i + 4 === text.length && padding > 0 && (quad & (padding === 2 ? 0xffff : 0xff)) !== 0)
      throw new Error('base64 text has stray bits before its padding');
  }
  return bytes;
}
