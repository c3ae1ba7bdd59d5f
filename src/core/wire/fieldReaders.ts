import { isAgentId, type AgentId } from '../base/ids';

/**
 * Field-by-field readers for the JSON bodies of protocol messages (pBFT, Raft). Each reads one
 * field at a path, returns it in canonical form, or throws `InvalidField` naming the path and
 * the problem; `parseFields` turns that into the returned text, so a decoder never throws.
 */

/** Thrown by the readers only; `parseFields` catches it. */
export class InvalidField extends Error {}

export function invalid(at: string, problem: string): never {
  throw new InvalidField(`${at} ${problem}`);
}

/** `at` is the path of the object whose fields are read ('' for the message itself). */
export const field = (at: string, key: string): string => (at === '' ? key : `${at}.${key}`);

export function record(value: unknown, at: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    invalid(at, 'is not an object');
  }
  return value as Record<string, unknown>;
}

export function agentId(value: unknown, at: string): AgentId {
  if (!isAgentId(value)) invalid(at, 'is not an agent id');
  return value;
}

export function hexOfLength(value: unknown, at: string, digits: number): string {
  if (typeof value !== 'string' || value.length !== digits || !/^[0-9a-f]*$/.test(value)) {
    invalid(at, `is not ${digits} hex`);
  }
  return value;
}

export function index(value: unknown, at: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    invalid(at, 'is not a non-negative safe integer');
  }
  // JSON may spell -0; signed bytes and deep equality both want 0.
  return (value as number) + 0;
}

export function flag(value: unknown, at: string): boolean {
  if (typeof value !== 'boolean') invalid(at, 'is not a boolean');
  return value;
}

export function oneOf<T extends string>(value: unknown, at: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    invalid(at, `is not one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/**
 * UTF-8 length of well-formed text, or -1 on a lone surrogate: TextEncoder would encode it as
 * U+FFFD, so two different texts would share one encoding (and one signature).
 */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit < 0xd800 || unit > 0xdfff) bytes += 3;
    else {
      const next = text.charCodeAt(i + 1);
      if (unit > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return -1;
      bytes += 4;
      i++;
    }
  }
  return bytes;
}

export function text(value: unknown, at: string, maxBytes: number): string {
  if (typeof value !== 'string') invalid(at, 'is not a string');
  // A UTF-16 unit is at least one UTF-8 byte: a long string is refused before it is scanned.
  if (value.length > maxBytes) invalid(at, `is over ${maxBytes} bytes`);
  const bytes = utf8Length(value);
  if (bytes < 0) invalid(at, 'is not well-formed text');
  if (bytes > maxBytes) invalid(at, `is over ${maxBytes} bytes`);
  return value;
}

export function list<T>(
  value: unknown,
  at: string,
  max: number,
  item: (v: unknown, at: string) => T,
): T[] {
  if (!Array.isArray(value)) invalid(at, 'is not an array');
  if (value.length > max) invalid(at, `has ${value.length} entries, over ${max}`);
  return value.map((entry, i) => item(entry, `${at}[${i}]`));
}

/** Runs a body parser; a bad field becomes the returned text `type path problem`. */
export function parseFields<T>(type: string, parse: () => T): T | string {
  try {
    return parse();
  } catch (error) {
    if (error instanceof InvalidField) return `${type} ${error.message}`;
    return `${type} unreadable: ${String(error).slice(0, 80)}`;
  }
}
