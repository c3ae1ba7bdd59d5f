/** An agent id: the lowercase hex of the agent's raw 32-byte Ed25519 public key. */
export type AgentId = string & { readonly __agentId: unique symbol };

const AGENT_ID_PATTERN = /^[0-9a-f]{64}$/;

export function isAgentId(value: unknown): value is AgentId {
  return typeof value === 'string' && AGENT_ID_PATTERN.test(value);
}

export function asAgentId(value: string): AgentId {
  if (!isAgentId(value)) throw new Error(`not an agent id: ${JSON.stringify(value).slice(0, 80)}`);
  return value;
}

/** The short form shown to people: the first 8 hex digits. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

export function bytesToHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

export function hexToBytes(hex: string): Uint8Array<ArrayBuffer> {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(hex)) throw new Error('malformed hex string');
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/** Agents are ordered by id; the lower id initiates a connection, so offers never cross. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
