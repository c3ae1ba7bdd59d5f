import { isAgentId, type AgentId } from '../base/ids';
import { NO_INTERNING, type StringInterner } from '../base/interner';
import {
  MAX_APP_KEY_CHARS,
  MAX_APP_VALUE_CHARS,
  MAX_FACTS_PER_MESSAGE,
  MAX_LOAD_TASKS,
  MAX_SUMMARY_MEMBERS,
  MAX_SYNC_MEMBERS,
  MAX_U32,
  SYNC_BUCKETS,
  type LoadSummary,
  type MemberSummary,
  type MembershipFact,
  type SwimFact,
  type SwimMessage,
  type SwimMessageType,
  type SyncMember,
} from './swimMessages';

/** Load and application facts one anti-entropy page may carry (its members' facts). */
export const MAX_SYNC_FACTS = 256;

const SIGNATURE_PATTERN = /^[0-9a-f]{128}$/;
const APP_KEY_PATTERN = new RegExp(`^[A-Za-z0-9._:/-]{1,${MAX_APP_KEY_CHARS}}$`);

/** Thrown inside this module only; the decoder turns it into a named failure. */
class Invalid extends Error {}

function invalid(detail: string): never {
  throw new Invalid(detail);
}

function isU32(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_U32;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFraction(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1;
}

export function isSignature(value: unknown): value is string {
  return typeof value === 'string' && SIGNATURE_PATTERN.test(value);
}

export function isAppKey(value: unknown): value is string {
  return typeof value === 'string' && APP_KEY_PATTERN.test(value);
}

/** A load summary with only the known fields, or null when it is not one. */
export function parseLoadSummary(value: unknown): LoadSummary | null {
  if (!isRecord(value) || !isFraction(value.cpu)) return null;
  const load: LoadSummary = { cpu: value.cpu };
  if (value.memory !== undefined) {
    if (!isFraction(value.memory)) return null;
    load.memory = value.memory;
  }
  if (value.tasks !== undefined) {
    const tasks = value.tasks;
    if (!(typeof tasks === 'number' && Number.isInteger(tasks))) return null;
    if (tasks < 0 || tasks > MAX_LOAD_TASKS) return null;
    load.tasks = tasks;
  }
  return load;
}

function parseFact(value: unknown, interner: StringInterner): SwimFact {
  if (!isRecord(value)) invalid('fact is not an object');
  const { kind } = value;
  if (!isAgentId(value.subject)) invalid('fact subject is not an agent id');
  const subject = interner.intern(value.subject);
  switch (kind) {
    case 'alive':
    case 'left': {
      const { incarnation, signature } = value;
      if (!isU32(incarnation)) invalid(`${kind} incarnation is not a u32`);
      if (!isSignature(signature)) invalid(`${kind} signature is not 64 bytes of hex`);
      return { kind, subject, incarnation, signature: interner.intern(signature) };
    }
    case 'suspect':
    case 'dead': {
      const { incarnation, by } = value;
      if (!isU32(incarnation)) invalid(`${kind} incarnation is not a u32`);
      if (!isAgentId(by)) invalid(`${kind} reporter is not an agent id`);
      return { kind, subject, incarnation, by: interner.intern(by) };
    }
    case 'load': {
      const { version, signature } = value;
      if (!isU32(version)) invalid('load version is not a u32');
      const load = parseLoadSummary(value.load);
      if (load === null) invalid('load summary out of range');
      if (!isSignature(signature)) invalid('load signature is not 64 bytes of hex');
      return { kind, subject, version, load, signature: interner.intern(signature) };
    }
    case 'app': {
      const { key, version, signature } = value;
      const factValue = value.value;
      if (!isAppKey(key)) invalid('app key is not 1-32 characters of [A-Za-z0-9._:/-]');
      if (!isU32(version)) invalid('app version is not a u32');
      if (typeof factValue !== 'string' || factValue.length > MAX_APP_VALUE_CHARS) {
        invalid(`app value is not a string of at most ${MAX_APP_VALUE_CHARS} characters`);
      }
      if (!isSignature(signature)) invalid('app signature is not 64 bytes of hex');
      return {
        kind,
        subject,
        key,
        version,
        value: factValue,
        signature: interner.intern(signature),
      };
    }
    default:
      return invalid(`unknown fact kind ${JSON.stringify(kind)?.slice(0, 20)}`);
  }
}

function parseFacts(value: unknown, max: number, interner: StringInterner): SwimFact[] {
  if (!Array.isArray(value)) invalid('facts is not an array');
  if (value.length > max) invalid(`${value.length} facts over ${max}`);
  return value.map((fact) => parseFact(fact, interner));
}

function parseMember(value: unknown, interner: StringInterner): SyncMember {
  if (!isRecord(value) || typeof value.agreed !== 'boolean') invalid('member entry malformed');
  const fact = parseFact(value.fact, interner);
  if (fact.kind === 'load' || fact.kind === 'app') invalid('member entry is not a membership fact');
  return { fact: fact as MembershipFact, agreed: value.agreed };
}

function parseSummary(value: unknown, interner: StringInterner): MemberSummary {
  if (!Array.isArray(value) || value.length !== 4) invalid('member summary is not a 4-tuple');
  const [id, incarnation, code, appSum] = value as unknown[];
  if (!isAgentId(id)) invalid('summary id is not an agent id');
  if (!isU32(incarnation)) invalid('summary incarnation is not a u32');
  if (!(Number.isInteger(code) && (code as number) >= 0 && (code as number) <= 7)) {
    invalid('summary status code out of range');
  }
  if (!isU32(appSum)) invalid('summary application version sum is not a u32');
  return [interner.intern(id), incarnation, code as number, appSum];
}

function parseBuckets(value: unknown): number[] {
  if (!Array.isArray(value) || value.length > SYNC_BUCKETS) invalid('buckets malformed');
  const seen = new Set<number>();
  for (const bucket of value) {
    if (!(Number.isInteger(bucket) && bucket >= 0 && bucket < SYNC_BUCKETS) || seen.has(bucket)) {
      invalid('bucket index out of range or repeated');
    }
    seen.add(bucket);
  }
  return value as number[];
}

/**
 * Validates the JSON body of a SWIM message and rebuilds it with the known fields only.
 * Returns the message or a short description of what is wrong; never throws.
 */
export function parseSwimBody(
  type: SwimMessageType,
  fields: Record<string, unknown>,
  interner: StringInterner = NO_INTERNING,
): SwimMessage | string {
  try {
    switch (type) {
      case 'swim-probe':
      case 'swim-ack':
      case 'swim-nack': {
        if (!isU32(fields.seq)) return `${type} seq is not a u32`;
        return {
          type,
          seq: fields.seq,
          facts: parseFacts(fields.facts, MAX_FACTS_PER_MESSAGE, interner),
        };
      }
      case 'swim-probe-req': {
        if (!isU32(fields.seq)) return `${type} seq is not a u32`;
        if (!isAgentId(fields.target)) return `${type} target is not an agent id`;
        const facts = parseFacts(fields.facts, MAX_FACTS_PER_MESSAGE, interner);
        return { type, seq: fields.seq, target: interner.intern(fields.target), facts };
      }
      case 'swim-gossip': {
        const facts = parseFacts(fields.facts, MAX_FACTS_PER_MESSAGE, interner);
        if (facts.length === 0) return 'gossip without facts';
        return { type, facts };
      }
      case 'swim-digest':
        // codec.ts decodes digests as binary frames; a JSON body is not one.
        return 'a digest is 32 binary u32 hashes';
      case 'swim-summary': {
        const { remaining, members } = fields;
        if (!(Number.isInteger(remaining) && (remaining as number) >= 0)) {
          return 'summary remaining is not a count';
        }
        if ((remaining as number) > SYNC_BUCKETS) return 'summary remaining over the bucket count';
        const buckets = parseBuckets(fields.buckets);
        if (!Array.isArray(members) || members.length > MAX_SUMMARY_MEMBERS) {
          return `summary members is not an array of at most ${MAX_SUMMARY_MEMBERS}`;
        }
        return {
          type,
          buckets,
          members: members.map((member) => parseSummary(member, interner)),
          remaining: remaining as number,
        };
      }
      case 'swim-state': {
        const { reply, members, want } = fields;
        if (typeof reply !== 'boolean') return 'state reply flag is not a boolean';
        if (!Array.isArray(members) || members.length > MAX_SYNC_MEMBERS) {
          return `state members is not an array of at most ${MAX_SYNC_MEMBERS}`;
        }
        if (!Array.isArray(want) || want.length > MAX_SYNC_MEMBERS || !want.every(isAgentId)) {
          return `state want is not a list of at most ${MAX_SYNC_MEMBERS} agent ids`;
        }
        const facts = parseFacts(fields.facts, MAX_SYNC_FACTS, interner);
        if (facts.some((f) => f.kind !== 'load' && f.kind !== 'app')) {
          return 'state facts must be load or application facts';
        }
        const wanted = (want as AgentId[]).map((id) => interner.intern(id));
        const entries = members.map((member) => parseMember(member, interner));
        return { type, members: entries, facts, want: wanted, reply };
      }
    }
  } catch (error) {
    if (error instanceof Invalid) return error.message;
    throw error;
  }
}
