/**
 * What an agent switched to `lie-results` sends instead of a task's true result: a different
 * value of the same shape, so that only a check against other agents' results (a critical job,
 * core/tasks/README.md) can tell. Deterministic: one liar forges one input the same way every
 * time, as a liar that wants to look consistent would.
 *
 * Every string leaf is shifted one letter along the base64 alphabet (base64 stays valid base64,
 * so a fractal tile keeps its place but shows noise); a value with no string in it has every
 * number raised by one; `true`/`false` flip; `null` becomes 0.
 */
export function forgeResult(resultText: string): string {
  const value = JSON.parse(resultText) as unknown;
  const forged = hasString(value) ? shiftStrings(value) : bumpNumbers(value);
  const text = JSON.stringify(forged);
  // A value with nothing to change (an empty object, say) still comes out different.
  return text === resultText ? JSON.stringify({ forged: value }) : text;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function shiftString(text: string): string {
  // The letter before base64 padding holds bits that must stay zero: it is left as it is.
  const keptAt = text.indexOf('=') - 1;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    const at = i === keptAt ? -1 : ALPHABET.indexOf(char);
    out += at < 0 ? char : ALPHABET[(at + 1) % ALPHABET.length];
  }
  return out === text ? `${text}~` : out;
}

function hasString(value: unknown): boolean {
  if (typeof value === 'string') return true;
  if (Array.isArray(value)) return value.some(hasString);
  if (typeof value === 'object' && value !== null) return Object.values(value).some(hasString);
  return false;
}

function shiftStrings(value: unknown): unknown {
  if (typeof value === 'string') return shiftString(value);
  if (Array.isArray(value)) return value.map(shiftStrings);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shiftStrings(v)]));
  return value;
}

function bumpNumbers(value: unknown): unknown {
  if (typeof value === 'number') return value + 1;
  if (typeof value === 'boolean') return !value;
  if (value === null) return 0;
  if (Array.isArray(value)) return value.map(bumpNumbers);
  if (typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bumpNumbers(v)]));
  return value;
}
