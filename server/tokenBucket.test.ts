import { describe, expect, it } from 'vitest';
import { TokenBucket } from './tokenBucket';

function takeMany(bucket: TokenBucket, nowMs: number, count: number): number {
  let taken = 0;
  for (let i = 0; i < count; i++) if (bucket.take(nowMs)) taken++;
  return taken;
}

describe('TokenBucket', () => {
  it('starts full, refills at the rate and never above capacity', () => {
    const bucket = new TokenBucket(200, 400, 0);
    expect(takeMany(bucket, 0, 1000)).toBe(400);
    expect(takeMany(bucket, 100, 1000)).toBe(20); // 100 ms at 200/s
    expect(takeMany(bucket, 60_100, 1000)).toBe(400); // a minute later: capped at the burst
  });

  it('accumulates fractions of a token', () => {
    const bucket = new TokenBucket(1, 1, 0);
    expect(bucket.take(0)).toBe(true);
    expect(bucket.take(400)).toBe(false);
    expect(bucket.take(800)).toBe(false);
    expect(bucket.take(1000)).toBe(true);
  });

  it('ignores a clock that steps backwards', () => {
    const bucket = new TokenBucket(10, 1, 1000);
    expect(bucket.take(1000)).toBe(true);
    expect(bucket.take(0)).toBe(false);
    expect(bucket.take(1050)).toBe(false); // 50 ms after the latest time seen: half a token
    expect(bucket.take(1100)).toBe(true);
  });
});
