import { isAgentId, type AgentId } from '../base/ids';
import { isByzantineBehaviour, type ByzantineBehaviour } from './byzantineBehaviours';
import { CHAOS_LANE_TYPE_CODE } from './lanes';
import { DEFAULT_MAX_FRAME_BYTES, WIRE_VERSION } from './messages';

/** Longest a dashboard partition lasts if its heal command is lost. */
export const MAX_PARTITION_SECONDS = 600;
export const MAX_FREEZE_SECONDS = 60;
export const MAX_FAULT_DELAY_MS = 2000;
/** A slowed agent's runs take at most this many times as long (1 is normal speed). */
export const MAX_SLOWDOWN_FACTOR = 100;
const MAX_GROUPS = 8;
const MAX_GROUP_MEMBERS = 256;

export type ChaosAction =
  | { kind: 'partition'; groups: AgentId[][]; healAfterSeconds: number }
  | { kind: 'heal' }
  | { kind: 'freeze'; agent: AgentId; seconds: number }
  | { kind: 'behaviour'; agent: AgentId; behaviour: ByzantineBehaviour }
  /** `agent`'s task runs take `factor` times as long, 1..MAX_SLOWDOWN_FACTOR (1: normal). */
  | { kind: 'slow'; agent: AgentId; factor: number }
  | { kind: 'link-fault'; a: AgentId; b: AgentId; delayMs: number; dropRate: number };

/**
 * Copies of one command (the first send and its retries), and of one agent's ack of it. Relays
 * forward each copy once, so one command costs at most this many floods of the mesh, however
 * copy numbers are forged (they are not signed: only new commands need the issuer's key).
 */
export const MAX_CHAOS_COPIES = 16;

/** A dashboard's chaos command, signed by the agent that issued it. */
export interface ChaosCommand {
  type: 'chaos';
  /** Unique per command (hex), so copies arriving by several paths apply once. */
  id: string;
  issuer: AgentId;
  action: ChaosAction;
  /** Ed25519 signature (hex) by `issuer` over chaosCommandBytes(id, issuer, action). */
  signature: string;
  /** Which send of the command this is (0: the first; retries count up), below MAX_CHAOS_COPIES. */
  copy: number;
}

/** An agent's word that it applied command `id`, signed, answering copy `copy` of it. */
export interface ChaosAck {
  type: 'chaos-ack';
  id: string;
  agent: AgentId;
  copy: number;
  /** Ed25519 signature (hex) by `agent` over chaosAckBytes(id, agent). */
  signature: string;
}

export function chaosAckBytes(id: string, agent: AgentId): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`mesh-coordinator/chaos-ack/v1\n${id}\n${agent}`);
}

/**
 * Commands in one scope replace each other: a heal ends the retries of the partition before it,
 * a second freeze (or behaviour, or slowdown) of an agent those of the first.
 */
export function chaosScope(action: ChaosAction): string {
  switch (action.kind) {
    case 'partition':
    case 'heal':
      return 'partition';
    case 'freeze':
      return `freeze:${action.agent}`;
    case 'behaviour':
      return `behaviour:${action.agent}`;
    case 'slow':
      return `slow:${action.agent}`;
    case 'link-fault':
      return `link:${[action.a, action.b].sort().join('|')}`;
  }
}

/**
 * Whether `agent` has a part in `action` (and so applies it and acks it): the members of a
 * partition's groups, every agent for a heal, the frozen agent, the agent whose behaviour is
 * set or slowed, the lower id of a faulty link (one end's fault layer covers both directions).
 */
export function concernsAgent(action: ChaosAction, agent: AgentId): boolean {
  switch (action.kind) {
    case 'partition':
      return action.groups.some((group) => group.includes(agent));
    case 'heal':
      return true;
    case 'freeze':
    case 'behaviour':
    case 'slow':
      return action.agent === agent;
    case 'link-fault':
      return (action.a < action.b ? action.a : action.b) === agent;
  }
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
    case 'behaviour': {
      const { agent, behaviour } = action;
      if (!isAgentId(agent) || !isByzantineBehaviour(behaviour)) return null;
      // Key order as the issuer builds it: the signed bytes are this object's JSON.
      return { kind: 'behaviour', agent, behaviour };
    }
    case 'slow': {
      const { agent, factor } = action;
      if (!isAgentId(agent) || !isNumberIn(factor, 1, MAX_SLOWDOWN_FACTOR)) return null;
      // Key order as the issuer builds it, as for a behaviour.
      return { kind: 'slow', agent, factor };
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

const COMMAND_ID = /^[0-9a-f]{16,32}$/;
const SIGNATURE = /^[0-9a-f]{128}$/;

function isCopy(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) < MAX_CHAOS_COPIES;
}

/** Validates a chaos command's shape (not its signature: the host checks that). Never throws. */
export function parseChaosCommand(data: unknown): ChaosParseResult {
  if (typeof data !== 'object' || data === null) return { ok: false, reason: 'not an object' };
  const fields = data as Record<string, unknown>;
  if (fields['type'] !== 'chaos') return { ok: false, reason: 'not a chaos command' };
  const { id, issuer, signature } = fields;
  if (typeof id !== 'string' || !COMMAND_ID.test(id))
    return { ok: false, reason: 'bad command id' };
  if (!isAgentId(issuer)) return { ok: false, reason: 'issuer is not an agent id' };
  if (typeof signature !== 'string' || !SIGNATURE.test(signature)) {
    return { ok: false, reason: 'signature must be 64 bytes of hex' };
  }
  const copy = fields['copy'] ?? 0;
  if (!isCopy(copy))
    return { ok: false, reason: `copy must be an integer below ${MAX_CHAOS_COPIES}` };
  const action = parseAction(fields['action']);
  if (action === null) return { ok: false, reason: 'unknown or out-of-range action' };
  return { ok: true, command: { type: 'chaos', id, issuer, action, signature, copy } };
}

export type ChaosAckParseResult = { ok: true; ack: ChaosAck } | { ok: false; reason: string };

/** Validates a chaos ack's shape (not its signature). Never throws. */
export function parseChaosAck(data: unknown): ChaosAckParseResult {
  if (typeof data !== 'object' || data === null) return { ok: false, reason: 'not an object' };
  const fields = data as Record<string, unknown>;
  if (fields['type'] !== 'chaos-ack') return { ok: false, reason: 'not a chaos ack' };
  const { id, agent, copy, signature } = fields;
  if (typeof id !== 'string' || !COMMAND_ID.test(id))
    return { ok: false, reason: 'bad command id' };
  if (!isAgentId(agent)) return { ok: false, reason: 'agent is not an agent id' };
  if (!isCopy(copy))
    return { ok: false, reason: `copy must be an integer below ${MAX_CHAOS_COPIES}` };
  if (typeof signature !== 'string' || !SIGNATURE.test(signature)) {
    return { ok: false, reason: 'signature must be 64 bytes of hex' };
  }
  return { ok: true, ack: { type: 'chaos-ack', id, agent, copy, signature } };
}

/** A chaos command or ack as a mesh frame: [version][CHAOS_LANE_TYPE_CODE][UTF-8 JSON]. */
export function encodeChaosFrame(message: ChaosCommand | ChaosAck): Uint8Array | null {
  const json = new TextEncoder().encode(JSON.stringify(message));
  if (json.length + 2 > DEFAULT_MAX_FRAME_BYTES) return null;
  const frame = new Uint8Array(json.length + 2);
  frame[0] = WIRE_VERSION;
  frame[1] = CHAOS_LANE_TYPE_CODE;
  frame.set(json, 2);
  return frame;
}

/** The JSON value inside a chaos frame, for parseChaosCommand / parseChaosAck; null if none. */
export function decodeChaosFrame(frame: Uint8Array): unknown {
  if (frame.length < 3 || frame.length > DEFAULT_MAX_FRAME_BYTES) return null;
  if (frame[0] !== WIRE_VERSION || frame[1] !== CHAOS_LANE_TYPE_CODE) return null;
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(frame.subarray(2)));
  } catch {
    return null;
  }
}
