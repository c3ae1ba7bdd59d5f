import type { AgentId } from '../base/ids';
import type { AppFact, LoadFact, LoadSummary, SwimFact } from './swimMessages';

/**
 * The exact bytes a member signs when it states something about itself. Text lines, one field
 * each, behind a domain line, so a signature over one kind of statement can never be read as
 * another (nor as a link-auth transcript, which has its own domain line).
 */
const DOMAIN = 'mesh-coordinator/swim/v1';

const encoder = new TextEncoder();

/** The statements are text; the signed bytes are its UTF-8 encoding. */
export function statementBytes(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text);
}

function statement(lines: string[]): string {
  // One join: a flat string, where a template would be a chain of pieces a cache would keep.
  lines.unshift(DOMAIN);
  return lines.join('\n');
}

export function aliveStatementText(subject: AgentId, incarnation: number): string {
  return statement(['alive', `subject=${subject}`, `incarnation=${incarnation}`]);
}

export function leftStatementText(subject: AgentId, incarnation: number): string {
  return statement(['left', `subject=${subject}`, `incarnation=${incarnation}`]);
}

/** "I am alive at incarnation i." Refutes every suspicion or death at a lower incarnation. */
export function aliveStatement(subject: AgentId, incarnation: number): Uint8Array<ArrayBuffer> {
  return statementBytes(aliveStatementText(subject, incarnation));
}

/** "I leave at incarnation i." Signed ahead of time, so a closing tab can announce it at once. */
export function leftStatement(subject: AgentId, incarnation: number): Uint8Array<ArrayBuffer> {
  return statementBytes(leftStatementText(subject, incarnation));
}

/** Numbers as JSON writes them: one spelling per value. Absent optional fields are "-". */
function num(value: number | undefined): string {
  return value === undefined ? '-' : JSON.stringify(value);
}

export function loadStatementText(subject: AgentId, version: number, load: LoadSummary): string {
  return statement([
    'load',
    `subject=${subject}`,
    `version=${version}`,
    `cpu=${num(load.cpu)}`,
    `memory=${num(load.memory)}`,
    `tasks=${num(load.tasks)}`,
  ]);
}

export function loadStatement(
  subject: AgentId,
  version: number,
  load: LoadSummary,
): Uint8Array<ArrayBuffer> {
  return statementBytes(loadStatementText(subject, version, load));
}

export function appStatementText(
  subject: AgentId,
  key: string,
  version: number,
  value: string,
): string {
  return statement([
    'app',
    `subject=${subject}`,
    `key=${key}`,
    `version=${version}`,
    `value=${JSON.stringify(value)}`,
  ]);
}

export function appStatement(
  subject: AgentId,
  key: string,
  version: number,
  value: string,
): Uint8Array<ArrayBuffer> {
  return statementBytes(appStatementText(subject, key, version, value));
}

/** The statement behind a signed fact as text, or null for facts anyone may report. */
export function statementTextOf(fact: SwimFact): string | null {
  switch (fact.kind) {
    case 'alive':
      return aliveStatementText(fact.subject, fact.incarnation);
    case 'left':
      return leftStatementText(fact.subject, fact.incarnation);
    case 'load':
      return loadStatementText(fact.subject, fact.version, (fact as LoadFact).load);
    case 'app': {
      const app = fact as AppFact;
      return appStatementText(app.subject, app.key, app.version, app.value);
    }
    case 'suspect':
    case 'dead':
      return null;
  }
}

/** The statement behind a signed fact, or null for facts anyone may report (suspect, dead). */
export function statementOf(fact: SwimFact): Uint8Array<ArrayBuffer> | null {
  const text = statementTextOf(fact);
  return text === null ? null : statementBytes(text);
}
