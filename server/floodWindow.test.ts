import { describe, expect, it } from 'vitest';
import { FloodWindow } from './floodWindow';

/** Marks a drop every 5 ms while `dropping(t)` holds; the time the window trips, or null. */
function tripTime(window: FloodWindow, untilMs: number, dropping: (t: number) => boolean) {
  for (let t = 0; t < untilMs; t += 5) {
    if (dropping(t) && window.markDrop(t)) return t;
  }
  return null;
}

describe('FloodWindow', () => {
  it('trips once half of the window had drops, for a continuous flood', () => {
    expect(tripTime(new FloodWindow(5000), 10_000, () => true)).toBe(2400);
  });

  it('is not reset by pauses: 2.8 s of drops, 1.2 s quiet, repeated', () => {
    const at = tripTime(new FloodWindow(5000), 14_000, (t) => t % 4000 < 2800);
    expect(at).not.toBeNull();
    expect(at as number).toBeLessThan(4000);
  });

  it('trips on a pattern that drops in 60 % of the time, however it is sliced', () => {
    expect(tripTime(new FloodWindow(5000), 20_000, (t) => t % 1000 < 600)).not.toBeNull();
    expect(tripTime(new FloodWindow(5000), 20_000, (t) => t % 250 < 150)).not.toBeNull();
  });

  it('does not trip on short bursts with quiet between them', () => {
    expect(tripTime(new FloodWindow(5000), 60_000, (t) => t % 1500 < 100)).toBeNull();
    expect(tripTime(new FloodWindow(5000), 60_000, (t) => t % 1000 < 400)).toBeNull();
  });

  it('forgets drops older than the window', () => {
    const window = new FloodWindow(1000);
    for (let t = 0; t < 400; t += 100) expect(window.markDrop(t)).toBe(false);
    expect(window.markDrop(5000)).toBe(false);
    expect(window.droppingMs()).toBe(100);
  });

  it('works for windows shorter than a slot', () => {
    expect(new FloodWindow(1).markDrop(0)).toBe(true);
  });
});
