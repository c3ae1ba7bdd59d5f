import type { AgentId } from '../base/ids';
import type {
  PbftCheckpoint,
  PbftHeader,
  PbftMessage,
  PbftNewViewMessage,
  PbftPreparedProof,
  PbftRequest,
  PbftStateMessage,
  PbftViewChange,
  PbftVote,
} from './pbftMessages';

/**
 * What each pBFT signature covers. A statement's bytes start with the protocol's domain and
 * its kind, so a signature over one kind (or for another protocol of the mesh) never passes
 * for another; containers sign a JSON array of every field but the
 * signature, in a fixed order, so the bytes do not depend on how an object was built.
 */

const encoder = new TextEncoder();

/** First line of every pBFT statement, apart from the other protocols' signed bytes. */
const DOMAIN = 'mesh-coordinator/pbft/v1';

export function requestBytes(r: Omit<PbftRequest, 'sig'>): Uint8Array {
  return encoder.encode(`${DOMAIN}\npbft-request\n${r.client}\n${r.reqNo}\n${r.action}`);
}

export function headerBytes(h: Omit<PbftHeader, 'sig'>): Uint8Array {
  return encoder.encode(
    `${DOMAIN}\npbft-pre-prepare\n${h.view}\n${h.seq}\n${h.digest}\n${h.replica}`,
  );
}

export function prepareBytes(v: Omit<PbftVote, 'sig'>): Uint8Array {
  return encoder.encode(`${DOMAIN}\npbft-prepare\n${v.view}\n${v.seq}\n${v.digest}\n${v.replica}`);
}

export function checkpointBytes(c: Omit<PbftCheckpoint, 'sig'>): Uint8Array {
  return encoder.encode(`${DOMAIN}\npbft-checkpoint\n${c.seq}\n${c.stateDigest}\n${c.replica}`);
}

const headerFields = (h: PbftHeader): unknown[] => [h.view, h.seq, h.digest, h.replica, h.sig];
const voteFields = (v: PbftVote): unknown[] => [v.view, v.seq, v.digest, v.replica, v.sig];
const checkpointFields = (c: PbftCheckpoint): unknown[] => [c.seq, c.stateDigest, c.replica, c.sig];
const proofFields = (p: PbftPreparedProof): unknown[] => [
  headerFields(p.header),
  p.prepares.map(voteFields),
];
const viewChangeFields = (vc: PbftViewChange): unknown[] => [
  vc.newView,
  vc.stableSeq,
  vc.stableDigest,
  vc.checkpoints.map(checkpointFields),
  vc.prepared.map(proofFields),
  vc.replica,
];

export function viewChangeBytes(vc: Omit<PbftViewChange, 'sig'> & { sig?: string }): Uint8Array {
  return encoder.encode(
    `${DOMAIN}\npbft-view-change\n${JSON.stringify(viewChangeFields(vc as PbftViewChange))}`,
  );
}

export function newViewBytes(nv: Omit<PbftNewViewMessage, 'sig' | 'type'>): Uint8Array {
  const fields = [
    nv.view,
    nv.viewChanges.map((vc) => [...viewChangeFields(vc), vc.sig]),
    nv.headers.map(headerFields),
    nv.replica,
  ];
  return encoder.encode(`${DOMAIN}\npbft-new-view\n${JSON.stringify(fields)}`);
}

export function stateBytes(s: Omit<PbftStateMessage, 'sig' | 'type'>): Uint8Array {
  const fields = [s.seq, s.stateDigest, s.snapshot, s.checkpoints.map(checkpointFields), s.replica];
  return encoder.encode(`${DOMAIN}\npbft-state\n${JSON.stringify(fields)}`);
}

/** One signature the host must verify before the replica sees the message. */
export interface SignatureCheck {
  signer: AgentId;
  bytes: Uint8Array;
  sig: string;
}

function viewChangeStatements(vc: PbftViewChange, into: Statement[]): void {
  for (const c of vc.checkpoints) into.push(checkpointStatement(c));
  for (const p of vc.prepared) {
    into.push(headerStatement(p.header));
    for (const v of p.prepares) into.push(voteStatement(v));
  }
  into.push({ holder: vc, bytes: () => viewChangeBytes(vc) });
}

/** A signed part of a message: the object holding `replica`/`client` and `sig`, and its bytes. */
interface Statement {
  holder: { sig: string; replica?: AgentId; client?: AgentId };
  bytes: () => Uint8Array;
}

const headerStatement = (h: PbftHeader): Statement => ({ holder: h, bytes: () => headerBytes(h) });
const voteStatement = (v: PbftVote): Statement => ({ holder: v, bytes: () => prepareBytes(v) });
const checkpointStatement = (c: PbftCheckpoint): Statement => ({
  holder: c,
  bytes: () => checkpointBytes(c),
});
const requestStatement = (r: PbftRequest): Statement => ({
  holder: r,
  bytes: () => requestBytes(r),
});

/**
 * Every signed statement of a message, inner ones before the containers that hold them (a
 * container's bytes include the inner signatures). Messages taken only from their sender on an
 * authenticated link have none.
 */
function statementsOf(msg: PbftMessage): Statement[] {
  const out: Statement[] = [];
  switch (msg.type) {
    case 'pbft-request':
      out.push(requestStatement(msg));
      break;
    case 'pbft-pre-prepare':
      for (const r of msg.requests) out.push(requestStatement(r));
      out.push(headerStatement(msg));
      break;
    case 'pbft-prepare':
      out.push(voteStatement(msg));
      break;
    case 'pbft-checkpoint':
      out.push(checkpointStatement(msg));
      break;
    case 'pbft-view-change':
      viewChangeStatements(msg, out);
      break;
    case 'pbft-new-view':
      for (const vc of msg.viewChanges) viewChangeStatements(vc, out);
      for (const h of msg.headers) out.push(headerStatement(h));
      out.push({ holder: msg, bytes: () => newViewBytes(msg) });
      break;
    case 'pbft-state':
      for (const c of msg.checkpoints) out.push(checkpointStatement(c));
      out.push({ holder: msg, bytes: () => stateBytes(msg) });
      break;
    case 'pbft-batch':
      for (const r of msg.requests) out.push(requestStatement(r));
      break;
    case 'pbft-entries':
      for (const entry of msg.entries)
        for (const r of entry.requests) out.push(requestStatement(r));
      break;
    case 'pbft-evidence':
      out.push(headerStatement(msg.first), headerStatement(msg.second));
      break;
    case 'pbft-commit':
    case 'pbft-reply':
    case 'pbft-batch-request':
    case 'pbft-state-request':
    case 'pbft-entries-request':
      break;
  }
  return out;
}

function signerOf(holder: Statement['holder']): AgentId {
  return (holder.replica ?? holder.client) as AgentId;
}

/**
 * Every signature in a received message, for the host to verify before the replica sees it: all
 * must hold, or the message is dropped as `bad-signature`.
 */
export function pbftSignatureChecks(msg: PbftMessage): SignatureCheck[] {
  return statementsOf(msg).map(({ holder, bytes }) => ({
    signer: signerOf(holder),
    sig: holder.sig,
    bytes: bytes(),
  }));
}

/** One signature the host owes an outgoing message: sign `bytes()`, then `assign` it. */
export interface SigningSlot {
  bytes: () => Uint8Array;
  assign: (sig: string) => void;
}

/**
 * A copy of an outgoing message with the statements `self` still has to sign, in the order to
 * sign them (each slot's bytes are read after the slots before it were assigned). Statements by
 * others keep the signatures they came with. The replica keeps its own statements unsigned and
 * the host signs each copy it sends, so the core never waits for a signature.
 */
export function pbftSigningPlan(
  msg: PbftMessage,
  self: AgentId,
): { message: PbftMessage; slots: SigningSlot[] } {
  const owed = (s: Statement): boolean => s.holder.sig === '' && signerOf(s.holder) === self;
  if (!statementsOf(msg).some(owed)) return { message: msg, slots: [] };
  const message = structuredCloneMessage(msg);
  const slots: SigningSlot[] = [];
  for (const { holder, bytes } of statementsOf(message)) {
    if (!owed({ holder, bytes })) continue;
    slots.push({ bytes, assign: (sig) => (holder.sig = sig) });
  }
  return { message, slots };
}

/** Messages are plain JSON data, so a JSON round trip is a faithful deep copy. */
function structuredCloneMessage(msg: PbftMessage): PbftMessage {
  return JSON.parse(JSON.stringify(msg)) as PbftMessage;
}
