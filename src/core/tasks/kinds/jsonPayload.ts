import { utf8ByteLength } from '../../wire/signaling';

/** Why a task's input or result cannot travel: not a plain JSON value, or too big. */
export interface PayloadProblem {
  code: 'not-json' | 'too-large';
  message: string;
}

/** Nesting deeper than this is refused (it also stops the walk on a cycle). */
const MAX_DEPTH = 64;

/**
 * Checks that `value` is a plain JSON value (null, booleans, finite numbers, strings, arrays
 * and plain objects of them, no undefined anywhere) whose JSON text is at most `maxBytes`
 * UTF-8 bytes. Values JSON would silently change (undefined fields, NaN, Dates, Maps, typed
 * arrays) are refused, so every agent sees the same value. The walk gives up once it has seen
 * more nodes than `maxBytes` (each needs a byte of text), so a huge value costs little.
 */
export function checkJsonPayload(value: unknown, maxBytes: number): PayloadProblem | null {
  const budget = { nodes: 0 };
  const problem = jsonProblem(value, 0, budget, maxBytes);
  if (problem !== null) return problem;
  const bytes = utf8ByteLength(JSON.stringify(value));
  if (bytes > maxBytes)
    return { code: 'too-large', message: `JSON text is ${bytes} bytes, over ${maxBytes}` };
  return null;
}

function jsonProblem(
  value: unknown,
  depth: number,
  budget: { nodes: number },
  maxBytes: number,
): PayloadProblem | null {
  if (++budget.nodes > maxBytes)
    return { code: 'too-large', message: `JSON text is over ${maxBytes} bytes` };
  if (value === null || typeof value === 'boolean') return null;
  if (typeof value === 'string') {
    budget.nodes += value.length;
    return null;
  }
  if (typeof value === 'number')
    return Number.isFinite(value) ? null : notJson(`a number that is not finite (${value})`);
  if (typeof value !== 'object') return notJson(`a ${typeof value}`);
  if (depth >= MAX_DEPTH) return notJson(`nesting deeper than ${MAX_DEPTH} (or a cycle)`);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) return notJson('an array with holes');
      const problem = jsonProblem(value[i], depth + 1, budget, maxBytes);
      if (problem !== null) return problem;
    }
    return null;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null)
    return notJson(
      'an object that is not a plain object (a class instance, Date, Map, typed array…)',
    );
  for (const key of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[key];
    if (field === undefined) return notJson(`an undefined field "${key.slice(0, 40)}"`);
    budget.nodes += key.length;
    const problem = jsonProblem(field, depth + 1, budget, maxBytes);
    if (problem !== null) return problem;
  }
  return null;
}

function notJson(what: string): PayloadProblem {
  return { code: 'not-json', message: `not a plain JSON value: ${what}` };
}
