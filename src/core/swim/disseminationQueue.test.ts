import { describe, expect, it } from 'vitest';
import type { AgentId } from '../base/ids';
import { createSeededPrng } from '../base/prng';
import type { SwimFact } from '../wire/swimMessages';
import { DisseminationQueue } from './disseminationQueue';

const id = (n: number) => n.toString(16).padStart(64, '0') as AgentId;
const SIG = 'ab'.repeat(64);
const alive = (n: number, incarnation = 0): SwimFact => ({
  kind: 'alive',
  subject: id(n),
  incarnation,
  signature: SIG,
});
const subjects = (facts: SwimFact[]) => facts.map((f) => parseInt(f.subject, 16));

describe('dissemination queue', () => {
  it('sends the least-sent facts first, newest first among equals', () => {
    const queue = new DisseminationQueue(16);
    for (let n = 1; n <= 5; n++) queue.push(alive(n));
    expect(subjects(queue.take(2, 10))).toEqual([5, 4]);
    expect(subjects(queue.take(2, 10))).toEqual([3, 2]);
    // 1 is the only fact never sent; then the once-sent ones, newest of them first.
    expect(subjects(queue.take(3, 10))).toEqual([1, 3, 2]);
    queue.push(alive(6));
    expect(subjects(queue.take(1, 10))).toEqual([6]);
  });

  it('never puts a fact twice in one message, and drops it after `limit` sends', () => {
    const queue = new DisseminationQueue(16);
    queue.push(alive(1));
    queue.push(alive(2));
    for (let round = 0; round < 3; round++) expect(subjects(queue.take(5, 3))).toEqual([2, 1]);
    expect(queue.take(5, 3)).toEqual([]);
    expect(queue.size).toBe(0);
    queue.check();
  });

  it('a newer fact about the same member replaces the queued one; duplicates are ignored', () => {
    const queue = new DisseminationQueue(16);
    const suspectByB: SwimFact = { kind: 'suspect', subject: id(1), incarnation: 0, by: id(2) };
    const suspectByC: SwimFact = { kind: 'suspect', subject: id(1), incarnation: 0, by: id(3) };
    queue.push(alive(1));
    queue.push(suspectByB);
    // A confirmation by someone else stands next to the first suspicion...
    queue.push(suspectByC);
    queue.push(suspectByC);
    expect(queue.size).toBe(2);
    // ...and a refutation replaces both.
    queue.push(alive(1, 1));
    expect(queue.take(5, 10)).toEqual([alive(1, 1)]);
    const load = (version: number): SwimFact => ({
      kind: 'load',
      subject: id(1),
      version,
      load: { cpu: version / 10 },
      signature: SIG,
    });
    queue.push(load(1));
    queue.push(load(2));
    queue.push(alive(9));
    expect(queue.take(2, 10)).toEqual([alive(9), load(2)]);
    queue.check();
  });

  it('is bounded: past capacity it drops the most-sent, oldest fact', () => {
    const queue = new DisseminationQueue(3);
    queue.push(alive(1));
    queue.push(alive(2));
    queue.take(1, 10); // 2 sent once
    queue.push(alive(3));
    queue.push(alive(4));
    expect(queue.size).toBe(3);
    expect(queue.dropped).toBe(1);
    expect(subjects(queue.take(5, 10))).toEqual([4, 3, 1]);
    queue.check();
  });

  it('skipped facts stay queued untouched', () => {
    const queue = new DisseminationQueue(8);
    for (let n = 1; n <= 3; n++) queue.push(alive(n));
    expect(subjects(queue.take(5, 10, (f) => f.subject === id(2)))).toEqual([3, 1]);
    expect(queue.transmitsOf(alive(2))).toBe(0);
    expect(subjects(queue.take(1, 10))).toEqual([2]);
  });

  it('keeps its counts right under random use', () => {
    const prng = createSeededPrng(9);
    const queue = new DisseminationQueue(50);
    for (let i = 0; i < 5000; i++) {
      if (prng.nextInt(3) > 0) queue.push(alive(prng.nextInt(80), prng.nextInt(4)));
      else {
        const taken = queue.take(1 + prng.nextInt(8), 1 + prng.nextInt(6));
        expect(new Set(taken).size).toBe(taken.length);
      }
      if (i % 97 === 0) queue.check();
    }
    queue.check();
  });
});
