import { describe, expect, it } from 'vitest';
import { describeFault, formatDuration, formatEventTime, formatRtt } from './format';

describe('format', () => {
  it('formats RTTs', () => {
    expect(formatRtt(0.6)).toBe('0.6 ms');
    expect(formatRtt(23.4)).toBe('23 ms');
    expect(formatRtt(null)).toBe('—');
  });

  it('formats durations', () => {
    expect(formatDuration(42_900)).toBe('42 s');
    expect(formatDuration(185_000)).toBe('3 m 05 s');
    expect(formatDuration(3_720_000)).toBe('1 h 02 m');
    expect(formatDuration(null)).toBe('—');
  });

  it('formats virtual-clock and wall-clock event times', () => {
    expect(formatEventTime(12_345)).toBe('+12.345 s');
    expect(formatEventTime(Date.UTC(2025, 0, 1, 12, 0, 0, 7))).toMatch(/^\d\d:\d\d:\d\d\.007$/);
  });

  it('describes link faults', () => {
    expect(describeFault({ cut: false, dropRate: 0, delayMs: 0 })).toEqual([]);
    expect(describeFault({ cut: true, dropRate: 0.2, delayMs: 150 })).toEqual([
      'cut',
      'drop 20%',
      '+150 ms',
    ]);
  });
});
