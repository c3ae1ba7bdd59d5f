/**
 * Big-endian numbers in byte arrays without a DataView: a DataView over a small on-heap
 * Uint8Array forces V8 to move its bytes to a fresh off-heap buffer, which cost ten times the
 * rest of encoding a ping. The scratch pair below is only a conversion buffer; no value
 * survives from one call to the next.
 */
const scratchF64 = new Float64Array(1);
const scratchBytes = new Uint8Array(scratchF64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function writeU16BE(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = (value >>> 8) & 0xff;
  bytes[at + 1] = value & 0xff;
}

export function readU16BE(bytes: Uint8Array, at: number): number {
  return ((bytes[at] as number) << 8) | (bytes[at + 1] as number);
}

export function writeU32BE(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value >>> 24;
  bytes[at + 1] = (value >>> 16) & 0xff;
  bytes[at + 2] = (value >>> 8) & 0xff;
  bytes[at + 3] = value & 0xff;
}

export function readU32BE(bytes: Uint8Array, at: number): number {
  return (
    (((bytes[at] as number) << 24) |
      ((bytes[at + 1] as number) << 16) |
      ((bytes[at + 2] as number) << 8) |
      (bytes[at + 3] as number)) >>>
    0
  );
}

export function writeF64BE(bytes: Uint8Array, at: number, value: number): void {
  scratchF64[0] = value;
  if (LITTLE_ENDIAN) for (let i = 0; i < 8; i++) bytes[at + i] = scratchBytes[7 - i] as number;
  else bytes.set(scratchBytes, at);
}

export function readF64BE(bytes: Uint8Array, at: number): number {
  if (LITTLE_ENDIAN) for (let i = 0; i < 8; i++) scratchBytes[7 - i] = bytes[at + i] as number;
  else for (let i = 0; i < 8; i++) scratchBytes[i] = bytes[at + i] as number;
  return scratchF64[0] as number;
}
