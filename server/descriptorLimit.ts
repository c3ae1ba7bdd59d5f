import { readFileSync } from 'node:fs';

/**
 * Descriptors kept free of connections: the process's own (about 30 for Node with its loader),
 * files being served, and connections just cut whose descriptors are not closed yet.
 */
export const RESERVED_DESCRIPTORS = 128;

/** The soft limit on open files from a /proc/<pid>/limits text, or null when it is unlimited. */
export function parseOpenFilesLimit(limitsText: string): number | null {
  const line = limitsText.split('\n').find((row) => row.startsWith('Max open files'));
  const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
  if (soft === undefined || soft === 'unlimited') return null;
  const value = Number(soft);
  return Number.isSafeInteger(value) ? value : null;
}

/** This process's soft limit on open files (Linux), or null when it cannot be read. */
export function openFilesLimit(): number | null {
  try {
    return parseOpenFilesLimit(readFileSync('/proc/self/limits', 'utf8'));
  } catch {
    return null;
  }
}

/**
 * The connection limit to enforce: the configured one, lowered when the process could not open
 * that many descriptors. Without this, connections past the descriptor limit fail at accept()
 * and the server can no longer open files or answer /healthz.
 */
export function effectiveMaxConnections(
  configured: number,
  descriptorLimit: number | null,
): { maxConnections: number; warning: string | null } {
  if (descriptorLimit === null || configured <= descriptorLimit - RESERVED_DESCRIPTORS) {
    return { maxConnections: configured, warning: null };
  }
  const maxConnections = Math.max(1, descriptorLimit - RESERVED_DESCRIPTORS);
  return {
    maxConnections,
    warning:
      `max-connections ${configured} is more than this process's open-file limit ` +
      `(${descriptorLimit}) allows; holding ${maxConnections} (raise it with ulimit -n)`,
  };
}
