import type { AgentId } from './ids';
import type { Millis } from './time';

/** Test support shared by the protocol tests; nothing outside `*.test.ts` imports it. */

/** Readable fixed ids: the digit repeated 64 times. */
export function fixedId(digit: string): AgentId {
  return digit.repeat(64) as AgentId;
}

export const SELF = fixedId('5');
export const B = fixedId('b');
export const C = fixedId('c');
export const D = fixedId('d');
export const E = fixedId('e');

/** Ticks at every wake-up the protocol asks for, up to `untilMs`; returns what happened when. */
export function runUntilWake<Effect>(
  protocol: { nextWakeMs(): Millis | null },
  tick: (nowMs: Millis) => Effect[],
  untilMs: Millis,
): { atMs: Millis; effects: Effect[] }[] {
  const log: { atMs: Millis; effects: Effect[] }[] = [];
  for (;;) {
    const wake = protocol.nextWakeMs();
    if (wake === null || wake > untilMs) return log;
    log.push({ atMs: wake, effects: tick(wake) });
  }
}

/** An interner that shares nothing and remembers every string it was handed. */
export function recordingInterner(): { intern<T extends string>(value: T): T; seen: Set<string> } {
  const seen = new Set<string>();
  return {
    seen,
    intern<T extends string>(value: T): T {
      seen.add(value);
      return value;
    },
  };
}

/** Every id (64 hex digits) and signature (128) anywhere inside `value`. */
export function hexFieldsOf(value: unknown): string[] {
  if (typeof value === 'string') return /^([0-9a-f]{64}|[0-9a-f]{128})$/.test(value) ? [value] : [];
  if (typeof value !== 'object' || value === null) return [];
  return Object.values(value).flatMap(hexFieldsOf);
}
