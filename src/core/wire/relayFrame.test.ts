import { describe, expect, it } from 'vitest';
import type { AgentId } from '../base/ids';
import { createSeededPrng } from '../base/prng';
import {
  decodeRelayFrame,
  encodeRelayFrame,
  isRelayFrame,
  MAX_RELAY_FRAME_BYTES,
  RELAY_TYPE_CODE,
} from './relayFrame';
import { WIRE_VERSION } from './messages';

const A = 'a'.repeat(64) as AgentId;
const B = 'b'.repeat(64) as AgentId;

describe('relay frames', () => {
  it('round-trips an offer for another agent', () => {
    const relay = {
      to: B,
      signal: {
        type: 'signal' as const,
        from: A,
        to: B,
        signal: { type: 'offer', sdp: 'v=0' },
        nonce: '0123456789abcdef',
      },
    };
    const frame = encodeRelayFrame(relay);
    expect(isRelayFrame(frame)).toBe(true);
    expect(frame[1]).toBe(RELAY_TYPE_CODE);
    expect(decodeRelayFrame(frame)).toEqual({ ok: true, relay });
  });

  it('rejects a bad target, a bad signal, garbage and oversized frames without throwing', () => {
    const frameOf = (body: string) =>
      new Uint8Array([WIRE_VERSION, RELAY_TYPE_CODE, ...new TextEncoder().encode(body)]);
    expect(decodeRelayFrame(frameOf('{"to":"x","signal":{}}'))).toMatchObject({ ok: false });
    expect(
      decodeRelayFrame(frameOf(`{"to":"${B}","signal":{"type":"nope","from":"${A}"}}`)),
    ).toMatchObject({ ok: false });
    expect(decodeRelayFrame(frameOf('{'))).toMatchObject({ ok: false });
    expect(
      decodeRelayFrame(
        new Uint8Array(MAX_RELAY_FRAME_BYTES + 1)
          .fill(1, 2)
          .map((v, i) => (i === 0 ? WIRE_VERSION : i === 1 ? RELAY_TYPE_CODE : v)),
      ),
    ).toMatchObject({ ok: false, reason: 'relay frame too large' });
    const prng = createSeededPrng(7);
    for (let i = 0; i < 2000; i++) {
      const bytes = new Uint8Array(2 + prng.nextInt(64)).map(() => prng.nextInt(256));
      bytes[0] = WIRE_VERSION;
      bytes[1] = RELAY_TYPE_CODE;
      expect(decodeRelayFrame(bytes).ok).toBe(false);
    }
  });
});
