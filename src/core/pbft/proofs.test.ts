import { describe, expect, it } from 'vitest';
import type { PbftHeader, PbftViewChange, PbftVote } from '../wire/pbftMessages';
import { checkPreparedProof, checkViewChange, GENESIS_DIGEST, planNewView } from './proofs';
import { ReplicaSet } from './replicaSet';
import { FOUR, OUTSIDER, R1, R2, R3, R4 } from './testNet';

const set = new ReplicaSet(FOUR);
const D1 = '1'.repeat(64);
const D2 = '2'.repeat(64);
const NULL = '0'.repeat(63) + 'f';
const header = (view: number, seq: number, digest: string): PbftHeader => ({
  view,
  seq,
  digest,
  replica: set.primaryOf(view),
  sig: 's',
});
const vote = (h: PbftHeader, replica = R2): PbftVote => ({ ...h, replica, sig: 's' });
const proof = (h: PbftHeader, voters = [R2, R3]) => ({
  header: h,
  prepares: voters.map((r) => vote(h, r)),
});
const viewChange = (replica: typeof R1, prepared: ReturnType<typeof proof>[]): PbftViewChange => ({
  newView: 5,
  stableSeq: 0,
  stableDigest: GENESIS_DIGEST,
  checkpoints: [],
  prepared,
  replica,
  sig: 's',
});

describe('pBFT certificates', () => {
  it('a prepared proof needs the primary header and quorum - 1 distinct backups agreeing', () => {
    const h = header(0, 1, D1);
    expect(checkPreparedProof(set, proof(h))).toBeNull();
    expect(checkPreparedProof(set, proof(h, [R2]))).toMatch(/of 1 prepares/);
    expect(checkPreparedProof(set, proof(h, [R2, R2]))).toMatch(/of 1 prepares/);
    expect(checkPreparedProof(set, proof(h, [R1, R2]))).toMatch(/non-backup/);
    expect(checkPreparedProof(set, proof(h, [R2, OUTSIDER]))).toMatch(/non-backup/);
    expect(checkPreparedProof(set, { header: { ...h, replica: R2 }, prepares: [] })).toMatch(
      /primary/,
    );
    expect(
      checkPreparedProof(set, {
        header: h,
        prepares: [vote(h, R2), { ...vote(h, R3), digest: D2 }],
      }),
    ).toMatch(/does not match/);
  });

  it('a view change keeps its proofs inside its window and before the new view', () => {
    expect(
      checkViewChange(set, viewChange(R2, [proof(header(1, 3, D1), [R3, R4])]), 64),
    ).toBeNull();
    expect(checkViewChange(set, viewChange(R2, [proof(header(5, 3, D1), [R1, R3])]), 64)).toMatch(
      /not before/,
    );
    expect(checkViewChange(set, viewChange(R2, [proof(header(0, 65, D1))]), 64)).toMatch(/outside/);
    expect(
      checkViewChange(set, viewChange(R2, [proof(header(0, 3, D1)), proof(header(0, 3, D1))]), 64),
    ).toMatch(/two proofs/);
    expect(checkViewChange(set, viewChange(OUTSIDER, []), 64)).toMatch(/non-replica/);
    expect(checkViewChange(set, { ...viewChange(R2, []), stableSeq: 8 }, 64)).toMatch(
      /certificate of 0/,
    );
  });

  it("a new view re-proposes the newest view's prepared digest per number and null in the gaps", () => {
    const plan = planNewView(
      [
        viewChange(R2, [proof(header(0, 1, D1)), proof(header(0, 3, D1))]),
        viewChange(R3, [proof(header(1, 3, D2), [R3, R4])]),
        viewChange(R4, []),
      ],
      NULL,
    );
    expect(plan.stableSeq).toBe(0);
    expect(plan.digests).toEqual([
      { seq: 1, digest: D1 },
      { seq: 2, digest: NULL },
      { seq: 3, digest: D2 },
    ]);
  });
});
