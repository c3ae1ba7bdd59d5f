/** What the store accepts; the README's limits table lists the defaults. */
export interface MemoryLimits {
  /** Largest value, as JSON text. */
  maxValueBytes: number;
  maxKeyChars: number;
  /** Largest TTL: a year. */
  maxTtlSeconds: number;
  /** Most results one list or search returns. */
  maxResults: number;
}

export const DEFAULT_MEMORY_LIMITS: MemoryLimits = {
  maxValueBytes: 64 * 1024,
  maxKeyChars: 512,
  maxTtlSeconds: 365 * 24 * 3600,
  maxResults: 1000,
};

/** Namespaces: 1-64 letters, digits, dot, dash, underscore, slash. */
export const NAMESPACE_PATTERN = /^[A-Za-z0-9._/-]{1,64}$/;

export type MemoryErrorCode =
  | 'invalid-namespace'
  | 'invalid-key'
  | 'invalid-value'
  | 'invalid-ttl'
  | 'invalid-request'
  | 'agreement-unavailable'
  | 'agreement-failed'
  | AgreementErrorCode;

/** Why the consensus layer did not agree a write (its error's `code`, passed on as it is). */
export type AgreementErrorCode =
  'no-quorum' | 'timeout' | 'invalid' | 'too-large' | 'busy' | 'failed';

const AGREEMENT_CODES: readonly string[] = [
  'no-quorum',
  'timeout',
  'invalid',
  'too-large',
  'busy',
  'failed',
];

export function isAgreementCode(code: unknown): code is AgreementErrorCode {
  return typeof code === 'string' && AGREEMENT_CODES.includes(code);
}

/** Why a request was refused; nothing was written. */
export class MemoryError extends Error {
  constructor(
    readonly code: MemoryErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MemoryError';
  }
}

export function checkNamespace(namespace: unknown): string {
  if (typeof namespace !== 'string' || !NAMESPACE_PATTERN.test(namespace)) {
    throw new MemoryError(
      'invalid-namespace',
      `namespace must be 1-64 of A-Z a-z 0-9 . _ / -, got ${JSON.stringify(namespace)}`,
    );
  }
  return namespace;
}

export function checkKey(key: unknown, limits: MemoryLimits): string {
  if (typeof key !== 'string' || key.length === 0 || key.length > limits.maxKeyChars) {
    throw new MemoryError(
      'invalid-key',
      `key must be a string of 1-${limits.maxKeyChars} characters`,
    );
  }
  if (key.includes('\u0000')) throw new MemoryError('invalid-key', 'key may not contain NUL');
  return key;
}

export function checkTtl(ttlSeconds: unknown, limits: MemoryLimits): number | null {
  if (ttlSeconds === undefined || ttlSeconds === null) return null;
  if (typeof ttlSeconds !== 'number' || !(ttlSeconds > 0) || ttlSeconds > limits.maxTtlSeconds) {
    throw new MemoryError('invalid-ttl', `ttl must be seconds in (0, ${limits.maxTtlSeconds}]`);
  }
  return ttlSeconds;
}
