import { describe, expect, it } from 'vitest';
import { fixedId } from '../../core/base/testSupport';
import { R1, R2, R3, R4 } from '../../host/pbftHostTestSupport';
import { sha256Hex } from '../../host/sha256Hex';
import { builtinKinds } from './builtinKinds';
import { CriticalApp } from './criticalApp';

const R5 = fixedId('5');

function app() {
  const critical = new CriticalApp(sha256Hex, builtinKinds());
  critical.seedReplicas([R1, R2, R3, R4]);
  let seq = 0;
  const vote = (proposer: typeof R1, change: Record<string, unknown>) =>
    JSON.parse(
      critical.apply(JSON.stringify({ kind: 'replicas.change', ...change }), proposer, ++seq),
    ) as { ok: boolean; value?: Record<string, unknown>; error?: string };
  return { critical, vote };
}

describe('replicas.change', () => {
  it('applies once f + 1 replicas voted for the same change in the current epoch', () => {
    const { critical, vote } = app();
    expect(vote(R1, { epoch: 0, add: R5 }).value).toEqual({ status: 'voted', votes: 1, needed: 2 });
    // The same replica again counts once.
    expect(vote(R1, { epoch: 0, add: R5 }).value).toMatchObject({ votes: 1 });
    expect(critical.replicaSet()).toEqual([R1, R2, R3, R4]);
    expect(vote(R2, { epoch: 0, add: R5 }).value).toEqual({
      status: 'applied',
      epoch: 1,
      replicas: [R1, R2, R3, R4, R5],
    });
    expect(critical.replicaSet()).toEqual([R1, R2, R3, R4, R5]);
    // A vote cast before the change finds its epoch over.
    expect(vote(R3, { epoch: 0, add: R5 }).value).toEqual({ status: 'stale', epoch: 1 });
  });

  it('counts only replicas, and refuses changes that make no sense', () => {
    const { critical, vote } = app();
    expect(vote(R5, { epoch: 0, add: R5 }).value).toMatchObject({ status: 'refused' });
    expect(vote(R1, { epoch: 0, add: R2 }).value).toMatchObject({ reason: 'already a replica' });
    expect(vote(R1, { epoch: 0, remove: R5 }).value).toMatchObject({ reason: 'not a replica' });
    expect(vote(R1, { epoch: 0, add: R5, remove: R4 })).toMatchObject({
      ok: false,
      error: 'invalid',
    });
    expect(vote(R1, { epoch: -1, remove: R4 })).toMatchObject({ ok: false, error: 'invalid' });
    expect(vote(R1, { epoch: 0, remove: 'not-an-id' })).toMatchObject({
      ok: false,
      error: 'invalid',
    });
    expect(critical.replicaSet()).toEqual([R1, R2, R3, R4]);
  });

  it('the set and its votes travel in the state', () => {
    const { critical, vote } = app();
    vote(R1, { epoch: 0, remove: R4 });
    const copy = new CriticalApp(sha256Hex, builtinKinds());
    copy.restore(critical.snapshot());
    copy.seedReplicas([R1]);
    expect(copy.replicaSet()).toEqual([R1, R2, R3, R4]);
    expect(
      JSON.parse(
        copy.apply(JSON.stringify({ kind: 'replicas.change', epoch: 0, remove: R4 }), R2, 9),
      ),
    ).toMatchObject({
      value: { status: 'applied', replicas: [R1, R2, R3] },
    });
  });
});
