import { isAgentId, type AgentId } from '../base/ids';

/** Longest a dashboard partition lasts if its heal command is lost. */
export const MAX_PARTITION_SECONDS = 600;
export const MAX_FREEZE_SECONDS = 60;
export const MAX_FAULT_DELAY_MS = 2000;
const MAX_GROUPS = 8;
const MAX_GROUP_MEMBERS = 256;

export type ChaosAction =
  | { kind: 'partition'; groups: AgentId[][]; healAfterSeconds: number }
  | { kind: 'heal' }
  | { kind: 'freeze'; agent: AgentId; seconds: number }
  | { kind: 'link-fault'; a: AgentId; b: AgentId; delayMs: number; dropRate: number };

/** A dashboard's chaos command, signed by the agent that issued it. */
export interface ChaosCommand {
  type: 'chaos';
  /** Unique per command (hex), so copies arriving by several paths apply once. */
  id: string;
  issuer: AgentId;
  action: ChaosAction;
  /** Ed25519 signature (hex) by `issuer` over chaosCommandBytes(id, issuer, action). */
  signature: string;
}

export function chaosCommandBytes(
  id: string,
  issuer: AgentId,
  action: ChaosAction,
): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(
    `mesh-coordinator/chaos/v1\n${id}\n${issuer}\n${JSON.stringify(action)}`,
  );
}

function isNumberIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
}

function parseAction(value: unknown): ChaosAction | null {
  if (typeof value !== 'object' || value === null) return null;
  const action = value as Record<string, unknown>;
  switch (action['kind']) {
    case 'partition': {
      const groups = action['groups'];
      const healAfterSeconds = action['healAfterSeconds'];
      if (!Array.isArray(groups) || groups.length < 2 || groups.length > MAX_GROUPS) return null;
      for (const group of groups) {
        if (!Array.isArray(group) || group.length > MAX_GROUP_MEMBERS || !group.every(isAgentId))
          return null;
      }
      if (!isNumberIn(healAfterSeconds, 1, MAX_PARTITION_SECONDS)) return null;
      return { kind: 'partition', groups: groups as AgentId[][], healAfterSeconds };
    }
    case 'heal':
      return { kind: 'heal' };
    case 'freeze': {
      const { agent, seconds } = action;
      if (!isAgentId(agent) || !isNumberIn(seconds, 1, MAX_FREEZE_SECONDS)) return null;
      return { kind: 'freeze', agent, seconds };
    }
    case 'link-fault': {
      const { a, b, delayMs, dropRate } = action;
      if (!isAgentId(a) || !isAgentId(b) || a === b) return null;
      if (!isNumberIn(delayMs, 0, MAX_FAULT_DELAY_MS) || !isNumberIn(dropRate, 0, 1)) return null;
      return { kind: 'link-fault', a, b, delayMs, dropRate };
    }
    default:
      return null;
  }
}

export type ChaosParseResult = { ok: true; command: ChaosCommand } | { ok: false; reason: string };

/** Validates a chaos command's shape (not its signature: the host checks that). Never throws. */
export function parseChaosCommand(data: unknown): ChaosParseResult {
  if (typeof data !== 'object' || data === null) return { ok: false, reason: 'not an object' };
  const fields = data as Record<string, unknown>;
  if (fields['type'] !== 'chaos') return { ok: false, reason: 'not a chaos command' };
  const { id, issuer, signature } = fields;
  if (typeof id !== 'string' || !/^[0-9a-f]{16,32}$/.test(id))
    return { ok: false, reason: 'bad command id' };
  if (!isAgentId(issuer)) return { ok: false, reason: 'issuer is not an agent id' };
  if (typeof signature !== 'string' || !/^[0-9a-f]{128}$/.test(signature)) {
    return { ok: false, reason: 'signature must be 64 bytes of hex' };
  }
  const action = parseAction(fields['action']);
  if (action === null) return { ok: false, reason: 'unknown or out-of-range action' };
  return { ok: true, command: { type: 'chaos', id, issuer, action, signature } };
}
