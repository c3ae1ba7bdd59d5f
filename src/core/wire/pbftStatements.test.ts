import { describe, expect, it } from 'vitest';
import type { AgentId } from '../base/ids';
import type { PbftMessage, PbftNewViewMessage, PbftViewChange } from './pbftMessages';
import {
  checkpointBytes,
  headerBytes,
  newViewBytes,
  pbftSignatureChecks,
  pbftSigningPlan,
  prepareBytes,
  requestBytes,
  stateBytes,
  viewChangeBytes,
} from './pbftStatements';
import { aliveStatementText } from './swimStatements';
import {
  A,
  B,
  C,
  checkpoint,
  D,
  digestOf,
  fakeSign,
  header,
  PBFT_SAMPLES,
  PROOF,
  REQUEST,
  sampleOf,
  sigOf,
  VIEW_CHANGE,
  vote,
} from './pbftTestSupport';

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const signers = (msg: PbftMessage): [AgentId, string][] =>
  pbftSignatureChecks(msg).map((c) => [c.signer, c.sig]);

/** A's own view change, still unsigned, as its replica keeps it. */
const OWN_VIEW_CHANGE: PbftViewChange = {
  newView: 2,
  stableSeq: 4,
  stableDigest: digestOf(7),
  checkpoints: [checkpoint(4, digestOf(7), A, ''), checkpoint(4, digestOf(7), B, sigOf(5))],
  prepared: [
    { header: PROOF.header, prepares: [vote(1, 5, digestOf(9), A, ''), PROOF.prepares[0]!] },
  ],
  replica: A,
  sig: '',
};

/**
 * A new view A is about to send: its own view change and headers unsigned, C's view change
 * signed, and D's holding one statement of A's already signed and one of B's left unsigned.
 */
const UNSIGNED_NEW_VIEW: PbftNewViewMessage = {
  type: 'pbft-new-view',
  view: 2,
  viewChanges: [
    OWN_VIEW_CHANGE,
    VIEW_CHANGE,
    {
      ...VIEW_CHANGE,
      checkpoints: [checkpoint(4, digestOf(7), A, sigOf(20)), checkpoint(4, digestOf(7), B, '')],
      prepared: [],
      replica: D,
      sig: sigOf(21),
    },
  ],
  headers: [header(2, 5, digestOf(9), A, ''), header(2, 6, digestOf(10), A, '')],
  replica: A,
  sig: '',
};

describe('pbftSigningPlan', () => {
  it("fills exactly self's unsigned statements, inner before outer", () => {
    const before = JSON.stringify(UNSIGNED_NEW_VIEW);
    const { message, slots } = pbftSigningPlan(UNSIGNED_NEW_VIEW, A);
    expect(message).not.toBe(UNSIGNED_NEW_VIEW);
    // A's checkpoint, prepare and view change, its two headers, and the new view itself.
    expect(slots).toHaveLength(6);
    for (const slot of slots) slot.assign(fakeSign(slot.bytes()));
    expect(JSON.stringify(UNSIGNED_NEW_VIEW)).toBe(before);

    // Each of A's statements is signed over its final bytes: the outer bytes were read after
    // the inner signatures were in place.
    const nv = message as PbftNewViewMessage;
    const own = pbftSignatureChecks(nv).filter((c) => c.sig === fakeSign(c.bytes));
    expect(own).toHaveLength(6);
    expect(own.every((c) => c.signer === A)).toBe(true);
    const outer = text(slots[5]!.bytes());
    expect(outer.startsWith('mesh-coordinator/pbft/v1\npbft-new-view\n')).toBe(true);
    for (const inner of [nv.viewChanges[0]!.sig, nv.headers[0]!.sig, nv.headers[1]!.sig]) {
      expect(outer).toContain(inner);
    }
    expect(text(slots[2]!.bytes())).toContain(nv.viewChanges[0]!.checkpoints[0]!.sig);

    // Statements by others, and A's already signed one, keep what they came with.
    expect(nv.viewChanges[1]).toEqual(VIEW_CHANGE);
    expect(nv.viewChanges[2]!.checkpoints.map((c) => c.sig)).toEqual([sigOf(20), '']);
    expect(nv.viewChanges[0]!.checkpoints[1]!.sig).toBe(sigOf(5));
  });

  it('signs a request as its client and a pre-prepare as its primary', () => {
    const request: PbftMessage = { type: 'pbft-request', ...REQUEST, sig: '' };
    expect(pbftSigningPlan(request, A).slots).toHaveLength(1);
    expect(pbftSigningPlan(request, B).slots).toHaveLength(0);
    const prePrepare: PbftMessage = { ...sampleOf('pbft-pre-prepare'), sig: '' };
    const { slots } = pbftSigningPlan(prePrepare, B);
    expect(slots.map((s) => text(s.bytes()))).toEqual([
      text(headerBytes({ view: 1, seq: 5, digest: digestOf(9), replica: B })),
    ]);
  });

  it('returns the same object when nothing is owed', () => {
    for (const msg of PBFT_SAMPLES) {
      for (const self of [A, B, C, D]) {
        const plan = pbftSigningPlan(msg, self);
        expect(plan.message).toBe(msg);
        expect(plan.slots).toEqual([]);
      }
    }
    // Another replica's unsigned statement is not self's to sign.
    const unsigned: PbftMessage = { ...sampleOf('pbft-checkpoint'), sig: '' };
    expect(pbftSigningPlan(unsigned, A).message).toBe(unsigned);
  });
});

describe('pbftSignatureChecks', () => {
  it('lists every signed statement with its signer, inner ones first', () => {
    expect(signers(sampleOf('pbft-view-change'))).toEqual([
      [B, sigOf(5)],
      [C, sigOf(6)],
      [D, sigOf(7)],
      [B, sigOf(2)],
      [C, sigOf(3)],
      [D, sigOf(4)],
      [C, sigOf(8)],
    ]);
    const nv = sampleOf('pbft-new-view');
    expect(signers(nv)).toEqual([
      ...signers(sampleOf('pbft-view-change')),
      [D, sigOf(10)],
      [A, sigOf(12)],
      [A, sigOf(13)],
    ]);
    expect(text(pbftSignatureChecks(nv).at(-1)!.bytes)).toBe(text(newViewBytes(nv)));
    expect(signers(sampleOf('pbft-pre-prepare'))).toEqual([
      [A, sigOf(1)],
      [C, sigOf(11)],
      [B, sigOf(2)],
    ]);
    expect(signers(sampleOf('pbft-state'))).toEqual([
      [B, sigOf(5)],
      [C, sigOf(6)],
      [D, sigOf(7)],
      [B, sigOf(14)],
    ]);
    expect(signers(sampleOf('pbft-evidence'))).toEqual([
      [B, sigOf(2)],
      [B, sigOf(17)],
    ]);
    expect(signers(sampleOf('pbft-entries'))).toEqual([[A, sigOf(1)]]);
    expect(signers(sampleOf('pbft-batch'))).toEqual([[A, sigOf(1)]]);
    expect(signers(sampleOf('pbft-request'))).toEqual([[A, sigOf(1)]]);
    expect(signers(sampleOf('pbft-prepare'))).toEqual([[C, sigOf(3)]]);
    expect(signers(sampleOf('pbft-checkpoint'))).toEqual([[B, sigOf(5)]]);
  });

  it('has nothing to check on channel-authenticated messages', () => {
    for (const type of [
      'pbft-commit',
      'pbft-reply',
      'pbft-batch-request',
      'pbft-state-request',
      'pbft-entries-request',
    ] as const) {
      expect(pbftSignatureChecks(sampleOf(type))).toEqual([]);
    }
  });
});

describe('pbft statement bytes', () => {
  it('never coincide across kinds for the same numbers', () => {
    const n = 7;
    const d = digestOf(n);
    const texts = [
      requestBytes({ client: A, reqNo: n, action: d }),
      headerBytes({ view: n, seq: n, digest: d, replica: A }),
      prepareBytes({ view: n, seq: n, digest: d, replica: A }),
      checkpointBytes({ seq: n, stateDigest: d, replica: A }),
      viewChangeBytes({
        newView: n,
        stableSeq: n,
        stableDigest: d,
        checkpoints: [],
        prepared: [],
        replica: A,
      }),
      newViewBytes({ view: n, viewChanges: [], headers: [], replica: A }),
      stateBytes({ seq: n, stateDigest: d, snapshot: d, checkpoints: [], replica: A }),
    ].map(text);
    expect(new Set(texts).size).toBe(texts.length);
    expect(texts.every((t) => t.startsWith('mesh-coordinator/pbft/v1\n'))).toBe(true);
    expect(texts.map((t) => t.split('\n')[1])).toEqual([
      'pbft-request',
      'pbft-pre-prepare',
      'pbft-prepare',
      'pbft-checkpoint',
      'pbft-view-change',
      'pbft-new-view',
      'pbft-state',
    ]);
    // Nor with membership statements, which the same keys sign.
    const swimDomain = aliveStatementText(A, n).split('\n')[0]!;
    expect(texts.some((t) => t.startsWith(swimDomain))).toBe(false);
  });

  it('do not depend on key order or unsigned extras', () => {
    const vc = { ...VIEW_CHANGE };
    const reordered = Object.fromEntries(Object.entries(vc).reverse()) as unknown as PbftViewChange;
    expect(text(viewChangeBytes(reordered))).toBe(text(viewChangeBytes(vc)));
    expect(text(viewChangeBytes({ ...vc, sig: '' }))).toBe(text(viewChangeBytes(vc)));
  });
});
