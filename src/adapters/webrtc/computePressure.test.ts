import { afterEach, describe, expect, it } from 'vitest';
import { watchComputePressure } from './computePressure';

type Callback = (records: { source: string; state: string }[]) => void;

/** A stand-in PressureObserver on globalThis; `refuse` makes observe reject. */
function installObserver(refuse = false) {
  const made: { callback: Callback; disconnected: boolean; options: unknown }[] = [];
  class FakeObserver {
    private readonly entry: (typeof made)[number];
    constructor(callback: Callback) {
      this.entry = { callback, disconnected: false, options: null };
      made.push(this.entry);
    }
    observe(_source: 'cpu', options?: unknown): Promise<void> {
      this.entry.options = options;
      return refuse ? Promise.reject(new Error('not allowed')) : Promise.resolve();
    }
    disconnect(): void {
      this.entry.disconnected = true;
    }
  }
  (globalThis as { PressureObserver?: unknown }).PressureObserver = FakeObserver;
  return made;
}

describe('watchComputePressure', () => {
  afterEach(() => {
    delete (globalThis as { PressureObserver?: unknown }).PressureObserver;
  });

  it('has no floor without the API', () => {
    const watch = watchComputePressure(1000);
    expect(watch.floor()).toBe(0);
    watch.stop();
  });

  it('raises the floor with the newest CPU state and lowers it again', () => {
    const made = installObserver();
    const watch = watchComputePressure(1000);
    expect(made[0]?.options).toEqual({ sampleInterval: 1000 });
    made[0]?.callback([
      { source: 'cpu', state: 'fair' },
      { source: 'cpu', state: 'serious' },
    ]);
    expect(watch.floor()).toBe(0.8);
    made[0]?.callback([{ source: 'cpu', state: 'nominal' }]);
    expect(watch.floor()).toBe(0);
    watch.stop();
    expect(made[0]?.disconnected).toBe(true);
  });

  it('a refused observe leaves no floor and lets go of the observer', async () => {
    const made = installObserver(true);
    const watch = watchComputePressure(1000);
    await Promise.resolve();
    await Promise.resolve();
    expect(made[0]?.disconnected).toBe(true);
    expect(watch.floor()).toBe(0);
  });
});
